fn main() {
    ptest_shared::cli::main(
        ptest_shared::cli::Stdout {
            raw: &[],
            passes_stream: &["lease"],
        },
        ptest_port::run,
    )
}
