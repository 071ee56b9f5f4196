//! `ptest down`: teardown of a stream, newest first, routed by `tool`.

use ptest_shared::testkit::Scenario;
use serde_json::json;

fn rec(kind: &str, id: &str, tool: &str) -> String {
    json!({"v": 1, "kind": kind, "tool": tool, "id": id}).to_string() + "\n"
}

/// Records `stream`'s resources in the registry, as a plugin does.
fn register(s: &Scenario, stream: &str) {
    s.cmd("ptest")
        .args(["registry", "add"])
        .stdin(stream.to_owned())
        .run()
        .success();
}

/// A plugin that logs each record it is asked to remove to `log`.
fn logging_plugin(s: &Scenario, name: &str, log: &std::path::Path) {
    s.plugin(name, &format!("#!/bin/sh\n[ \"$1\" = rm ] || exit 64\nwhile read -r line; do echo \"ptest-{name} $line\" >> {}; done\n", log.display()));
}

#[test]
fn down_routes_each_resource_to_its_tool_newest_first() {
    let s = Scenario::new();
    let log = s.dir.path().join("log");
    logging_plugin(&s, "alpha", &log);
    logging_plugin(&s, "beta", &log);
    let stream = [
        rec("a", "a-1", "ptest-alpha"),
        "{\"v\":1,\"kind\":\"gauge\",\"rss\":3}\n".to_owned(), // not a resource
        rec("b", "b-1", "ptest-beta"),
        rec("a", "a-2", "ptest-alpha"),
        rec("a", "a-3", "ptest-alpha"),
    ]
    .concat();
    register(&s, &stream);
    let events = s
        .cmd("ptest")
        .arg("down")
        .stdin(stream)
        .run()
        .success()
        .records();
    let order: Vec<&str> = events.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(order, ["a-3", "a-2", "b-1", "a-1"]);
    let calls: Vec<String> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(|l| {
            let (tool, json) = l.split_once(' ').unwrap();
            let v: serde_json::Value = serde_json::from_str(json).unwrap();
            format!("{tool}:{}", v["id"].as_str().unwrap())
        })
        .collect();
    assert_eq!(
        calls,
        [
            "ptest-alpha:a-3",
            "ptest-alpha:a-2",
            "ptest-beta:b-1",
            "ptest-alpha:a-1"
        ]
    );
}

#[test]
fn down_forgets_removed_resources_in_the_registry() {
    let s = Scenario::new();
    let log = s.dir.path().join("log");
    logging_plugin(&s, "alpha", &log);
    let stream = rec("a", "a-1", "ptest-alpha") + &rec("a", "a-2", "ptest-alpha");
    s.cmd("ptest")
        .args(["registry", "add"])
        .stdin(stream.clone())
        .run()
        .success();
    assert_eq!(s.cmd("ptest").arg("ls").run().records().len(), 2);
    s.cmd("ptest").arg("down").stdin(stream).run().success();
    assert!(s.cmd("ptest").arg("ls").run().records().is_empty());
}

#[test]
fn down_reports_what_it_could_not_remove_and_exits_1() {
    let s = Scenario::new();
    // Removes a-1, fails on a-2: confirms a-1 with an event record.
    s.plugin(
        "alpha",
        "#!/bin/sh\nwhile read -r l; do case \"$l\" in *a-1*) echo '{\"v\":1,\"kind\":\"event\",\"event\":\"a.removed\",\"id\":\"a-1\"}';; esac; done\necho 'a-2 is stuck' >&2\nexit 5\n",
    );
    let stream = rec("a", "a-1", "ptest-alpha")
        + &rec("a", "a-2", "ptest-alpha")
        + &rec("m", "m-1", "ptest-missing");
    register(&s, &stream);
    let r = s
        .cmd("ptest")
        .arg("down")
        .stdin(stream)
        .run()
        .expect_code(1);
    assert_eq!(r.error_record("ptest")["exit"], 1);
    let removed: Vec<_> = r
        .records_before_error()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(removed, ["a-1"]);
    assert!(
        r.stderr.contains("a-2") && r.stderr.contains("a-2 is stuck"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("m-1") && r.stderr.contains("ptest-missing is not installed"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("2 of 3"), "{}", r.stderr);
}

#[test]
fn down_removes_a_resource_named_twice_once() {
    let s = Scenario::new();
    let log = s.dir.path().join("log");
    logging_plugin(&s, "alpha", &log);
    register(&s, &rec("a", "a-1", "ptest-alpha"));
    s.cmd("ptest")
        .arg("down")
        .stdin(rec("a", "a-1", "ptest-alpha").repeat(3))
        .run()
        .success();
    assert_eq!(std::fs::read_to_string(&log).unwrap().lines().count(), 1);
}

#[test]
fn down_of_a_malformed_stream_removes_what_it_names_then_exits_65() {
    let s = Scenario::new();
    let log = s.dir.path().join("log");
    logging_plugin(&s, "alpha", &log);
    let stream = rec("a", "a-1", "ptest-alpha") + &rec("a", "a-2", "ptest-alpha");
    register(&s, &stream);
    let r = s
        .cmd("ptest")
        .arg("down")
        .stdin(rec("a", "a-1", "ptest-alpha") + "garbage\n" + &rec("a", "a-2", "ptest-alpha"))
        .run()
        .expect_code(65);
    assert!(r.stderr.contains("stdin:2"), "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(&log).unwrap().lines().count(), 2);
    assert!(s.registry().list().unwrap().is_empty());
    r.error_record("ptest");
}

#[test]
fn down_names_each_removal_as_its_tool_does() {
    let s = Scenario::new();
    let lease = s
        .cmd("ptest-port")
        .args(["lease", "--range", "14600-14609"])
        .run()
        .success()
        .stdout;
    let events = s
        .cmd("ptest")
        .arg("down")
        .stdin(lease)
        .run()
        .success()
        .records();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["event"], "port.released");
}

#[test]
fn down_with_a_terminal_on_stdin_says_how_to_use_it() {
    let s = Scenario::new();
    let ptest = ptest_shared::testkit::bin_path("ptest");
    // script(1) gives the command a terminal on stdin.
    let r = s
        .command("script")
        .args(["-qec", &format!("{} down", ptest.display()), "/dev/null"])
        .run()
        .expect_code(64);
    assert!(r.stdout.contains("ptest down < env.jsonl"), "{}", r.stdout);
}
