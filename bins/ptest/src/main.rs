fn main() {
    ptest_shared::cli::main(ptest::run)
}
