fn main() {
    ptest_shared::cli::main(
        ptest_shared::cli::Stdout {
            raw: &["exec", "logs", "cp"],
            passes_stream: &["create", "network create"],
        },
        ptest_docker::run,
    )
}
