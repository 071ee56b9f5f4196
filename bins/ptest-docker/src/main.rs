fn main() {
    ptest_shared::cli::main(&["exec", "logs", "cp"], ptest_docker::run)
}
