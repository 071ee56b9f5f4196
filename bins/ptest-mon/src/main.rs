fn main() {
    ptest_shared::cli::main(
        ptest_shared::cli::Stdout {
            raw: &["run"],
            passes_stream: &["watch"],
        },
        ptest_mon::run,
    )
}
