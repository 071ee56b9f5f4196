fn main() {
    // `ptest <tool> ARGS` is the hot path (a lease inside a test fixture):
    // exec the tool before building the whole command-line definition.
    ptest::exec_fast_path();
    ptest_shared::cli::main(
        ptest_shared::cli::Stdout {
            raw: &["completions", "help"],
            passes_stream: &["registry add"],
        },
        ptest::run,
    )
}
