fn main() {
    ptest_shared::cli::main(&[], ptest_port::run)
}
