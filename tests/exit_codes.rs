//! Bad arguments get the exit code their kind calls for, whatever tool
//! they are given to: a bad flag is 64, not something run; a request that
//! could only end at once is refused; a name that names nothing is 66.

use ptest_shared::testkit::Scenario;

#[test]
fn bad_arguments_are_64_and_run_nothing() {
    let s = Scenario::new();
    let ran = s.dir.path().join("ran");
    let touch = ran.to_str().unwrap();
    for (bin, args) in [
        (
            "ptest-proc",
            vec!["run", "--memroy", "1G", "--", "touch", touch],
        ),
        (
            "ptest-proc",
            vec!["run", "--timeout", "0", "--", "touch", touch],
        ),
        (
            "ptest-proc",
            vec!["run", "--memory", "1MIIIB", "--", "touch", touch],
        ),
        (
            "ptest-proc",
            vec!["start", "--ready-timeout", "0", "--", "touch", touch],
        ),
        ("ptest-port", vec!["release", "65536"]),
        ("ptest-port", vec!["release", "0"]),
        ("ptest-port", vec!["lease", "--ttl", "0"]),
        ("ptest-port", vec!["lease", "--ttl", "0s"]),
        (
            "ptest-docker",
            vec!["create", "--image", "x", "--ready-timeout", "0"],
        ),
        (
            "ptest-docker",
            vec!["create", "--image", "x", "--memory", "1MIIIB"],
        ),
    ] {
        let r = s.cmd(bin).args(&args).run().expect_code(64);
        assert!(!r.stderr.is_empty(), "{bin} {args:?} said nothing");
        assert!(!ran.exists(), "{bin} {args:?} ran its command");
    }
    assert!(s.registry().list().unwrap().is_empty(), "nothing was made");
}

#[test]
fn names_that_name_nothing_are_66() {
    let s = Scenario::new();
    for args in [["status", "nosuch"], ["logs", "nosuch"]] {
        let r = s.cmd("ptest-proc").args(args).run().expect_code(66);
        assert!(r.stderr.contains("no service nosuch"), "{}", r.stderr);
    }
}
