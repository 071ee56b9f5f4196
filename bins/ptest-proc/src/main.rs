fn main() {
    // `__init` is the first process of a command's environment, started by
    // ptest-proc itself with its launch spec on a pipe; it never returns.
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("__init") {
        let fd = |i: usize| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(-1);
        ptest_proc::init::main(fd(2), fd(3), fd(4));
    }
    ptest_shared::cli::main(
        ptest_shared::cli::Stdout {
            raw: &["run", "logs"],
            passes_stream: &["start"],
        },
        ptest_proc::run,
    )
}
