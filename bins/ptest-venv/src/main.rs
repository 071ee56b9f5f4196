fn main() {
    ptest_shared::cli::main(&[], ptest_venv::run)
}
