fn main() {
    // A container that `restore` or `reset` makes is watched by
    // ptest-docker's guardian, which re-executes the running program.
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [cmd, owner, flag, fd] = args.as_slice()
        && cmd == "__guard"
        && flag == "--lock-fd"
        && let Ok(fd) = fd.parse::<i32>()
    {
        std::process::exit(match ptest_docker::api::guard(owner, fd) {
            Ok(code) => code,
            Err(e) => e.exit.code(),
        });
    }
    ptest_shared::cli::main(
        ptest_shared::cli::Stdout {
            raw: &["export"],
            passes_stream: &["create"],
        },
        ptest_snap::run,
    )
}
