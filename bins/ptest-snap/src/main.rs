fn main() {
    ptest_shared::cli::main(
        ptest_shared::cli::Stdout {
            raw: &["export"],
            passes_stream: &["create"],
        },
        ptest_snap::run,
    )
}
