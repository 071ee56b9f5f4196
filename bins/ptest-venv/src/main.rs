fn main() {
    ptest_shared::cli::main(
        ptest_shared::cli::Stdout {
            raw: &["freeze"],
            passes_stream: &["create", "sync", "install"],
        },
        ptest_venv::run,
    )
}
