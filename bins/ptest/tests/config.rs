//! Configuration precedence and error positions, through `ptest config`.

use ptest_shared::testkit::Scenario;

fn value(s: &Scenario, extra: &[&str], env: &[(&str, &str)]) -> (String, String) {
    let mut c = s
        .cmd("ptest")
        .args(["config", "hooks.timeout", "--json"])
        .args(extra);
    for (k, v) in env {
        c = c.env(k, v);
    }
    let recs = c.run().success().records();
    (
        recs[0]["value"].as_str().unwrap().to_owned(),
        recs[0]["source"].as_str().unwrap().to_owned(),
    )
}

#[test]
fn precedence_defaults_user_project_env_flags() {
    let s = Scenario::new();
    assert_eq!(value(&s, &[], &[]), ("30s".into(), "default".into()));

    let user = s.write("config/ptest/config.toml", "[hooks]\ntimeout = \"11s\"\n");
    assert_eq!(
        value(&s, &[], &[]),
        ("11s".into(), format!("{}:2", user.display()))
    );

    // The nearest ptest.toml above the working directory wins over the user file.
    let project = s.write("work/ptest.toml", "# project\n\n[hooks]\ntimeout = 12\n");
    std::fs::create_dir_all(s.work.join("sub/dir")).unwrap();
    let (v, src) = {
        let recs = s
            .cmd("ptest")
            .args(["config", "hooks.timeout", "--json"])
            .current_dir(s.work.join("sub/dir"))
            .run()
            .success()
            .records();
        (
            recs[0]["value"].as_str().unwrap().to_owned(),
            recs[0]["source"].as_str().unwrap().to_owned(),
        )
    };
    assert_eq!(
        (v.as_str(), src),
        ("12s", format!("{}:4", project.display()))
    );

    assert_eq!(
        value(&s, &[], &[("PTEST_HOOKS__TIMEOUT", "13s")]),
        ("13s".into(), "env PTEST_HOOKS__TIMEOUT".into())
    );
    assert_eq!(
        value(
            &s,
            &["--config", "hooks.timeout=14s"],
            &[("PTEST_HOOKS__TIMEOUT", "13s")]
        ),
        ("14s".into(), "flag --config".into())
    );
}

#[test]
fn listing_shows_every_key_with_its_source() {
    let s = Scenario::new();
    s.write("work/ptest.toml", "[hooks]\n\"post-port.leased\" = [\"echo a\", \"echo b\"]\npre-venv.created = \"true\"\n[hello]\ngreeting = \"hi\"\n");
    let recs = s.cmd("ptest").arg("config").run().success().records();
    let get = |k: &str| {
        recs.iter()
            .find(|r| r["key"] == k)
            .unwrap_or_else(|| panic!("{k} missing: {recs:?}"))
            .clone()
    };
    assert_eq!(
        get("hooks.post-port.leased")["value"],
        serde_json::json!(["echo a", "echo b"])
    );
    assert_eq!(
        get("hooks.pre-venv.created")["value"],
        serde_json::json!(["true"])
    );
    assert_eq!(get("hooks.timeout")["source"], "default");
    let human = s
        .cmd("ptest")
        .args(["config", "--format", "human"])
        .run()
        .success()
        .stdout;
    assert!(
        human.contains("[hello]") && human.contains("ptest-hello"),
        "{human}"
    );
}

#[test]
fn bad_files_are_65_naming_file_line_and_key() {
    let s = Scenario::new();
    let p = s.write("work/ptest.toml", "[hooks]\ntimeout = \"soon\"\n");
    let r = s.cmd("ptest").arg("config").run().expect_code(65);
    assert!(
        r.stderr.contains(&format!("{}:2:1", p.display())) && r.stderr.contains("hooks.timeout"),
        "{}",
        r.stderr
    );

    s.write("work/ptest.toml", "[hooks]\n\n[port]\nrnage = \"1-2\"\n");
    let r = s.cmd("ptest").arg("config").run().expect_code(65);
    assert!(
        r.stderr.contains(&format!("{}:4:1", p.display())) && r.stderr.contains("port.rnage"),
        "{}",
        r.stderr
    );

    s.write(
        "work/ptest.toml",
        "[hooks]\ntimeout = \"5s\"\nbroken = = 1\n",
    );
    let r = s.cmd("ptest").arg("config").run().expect_code(65);
    assert!(
        r.stderr.contains(&format!("{}:3:", p.display())) && r.stderr.contains("invalid TOML"),
        "{}",
        r.stderr
    );

    s.write("work/ptest.toml", "timeout = 5\n");
    let r = s.cmd("ptest").arg("config").run().expect_code(65);
    assert!(
        r.stderr.contains(":1:1") && r.stderr.contains("outside any table"),
        "{}",
        r.stderr
    );

    s.write("work/ptest.toml", "[hooks]\npre-port.leased = 5\n");
    let r = s.cmd("ptest").arg("config").run().expect_code(65);
    assert!(
        r.stderr.contains(":2:1") && r.stderr.contains("hooks.pre-port.leased"),
        "{}",
        r.stderr
    );
}

#[test]
fn bad_env_and_flags_are_named() {
    let s = Scenario::new();
    let r = s
        .cmd("ptest")
        .arg("config")
        .env("PTEST_HOOKS__TIMEOUT", "later")
        .run()
        .expect_code(65);
    assert!(r.stderr.contains("PTEST_HOOKS__TIMEOUT"), "{}", r.stderr);
    let r = s
        .cmd("ptest")
        .args(["config", "--config", "hooks.timeot=3s"])
        .run()
        .expect_code(64);
    assert!(r.stderr.contains("hooks.timeot"), "{}", r.stderr);
    s.cmd("ptest")
        .args(["config", "--config", "novalue"])
        .run()
        .expect_code(64);
    s.cmd("ptest")
        .args(["config", "no.such.key"])
        .run()
        .expect_code(64);
}

#[test]
fn lease_variables_are_not_mistaken_for_settings() {
    // PTEST_PORT_HTTP is what a port lease exports; config uses a double underscore.
    let s = Scenario::new();
    s.cmd("ptest")
        .arg("config")
        .env("PTEST_PORT_HTTP", "20113")
        .env("PTEST_HOOKS_TIMEOUT", "x")
        .run()
        .success();
}

#[test]
fn a_value_a_setting_cannot_take_is_an_error_in_every_tool_never_a_fallback() {
    let s = Scenario::new();
    let cases = [
        (
            "[proc]\ncgroups = \"bogus\"\n",
            "proc.cgroups",
            "is not one of",
        ),
        (
            "[proc]\npid-namespace = \"maybe\"\n",
            "proc.pid-namespace",
            "\"on\", \"off\"",
        ),
        (
            "[docker]\nparallel = 0\n",
            "docker.parallel",
            "out of range",
        ),
        (
            "[docker]\nparallel = -1\n",
            "docker.parallel",
            "out of range",
        ),
        (
            "[hooks]\n\"pre-contianer.ready\" = \"true\"\n",
            "pre-contianer.ready",
            "did you mean \"container.ready\"",
        ),
        (
            "[hooks]\n\"pre-container.created\" = \"true\"\n",
            "container.created",
            "no event",
        ),
    ];
    for (toml, key, want) in cases {
        let file = s.write("work/ptest.toml", toml);
        for bin in [
            "ptest",
            "ptest-port",
            "ptest-proc",
            "ptest-venv",
            "ptest-docker",
        ] {
            let args: &[&str] = match bin {
                "ptest" => &["config"],
                "ptest-port" => &["lease", "--range", "14700-14701"],
                "ptest-proc" => &["run", "--", "true"],
                "ptest-venv" => &["ls"],
                _ => &["create", "--image", "ptest-test/none:1"],
            };
            let r = s.cmd(bin).args(args).run().expect_code(65);
            assert!(
                r.stderr.contains(&format!("{}:", file.display()))
                    && r.stderr.contains(key)
                    && r.stderr.contains(want),
                "{bin} with {toml:?}: {}",
                r.stderr
            );
        }
    }
    std::fs::remove_file(s.work.join("ptest.toml")).unwrap();
    // The same through --config is a usage error, before or after the tool's name.
    for args in [
        &["proc", "run", "--config", "proc.cgroups=of", "--", "true"][..],
        &["--config", "proc.cgroups=of", "proc", "run", "--", "true"],
        &["--config", "docker.parallel=0", "docker", "ls"],
        &["docker", "ls", "--config", "docker.parallel=0"],
        &["port", "ls", "--config", "hooks.pre-prot.leased=x"],
    ] {
        let r = s.cmd("ptest").args(args).run().expect_code(64);
        assert!(r.stderr.contains("--config"), "{args:?}: {}", r.stderr);
    }
    // A file that is not UTF-8 is bad data, not an I/O error.
    std::fs::write(s.work.join("ptest.toml"), b"[proc]\ncgroups = \"\xff\"\n").unwrap();
    let r = s.cmd("ptest").arg("config").run().expect_code(65);
    assert!(r.stderr.contains("not UTF-8"), "{}", r.stderr);
}

#[test]
fn config_given_before_the_tools_name_reaches_the_tool() {
    let s = Scenario::new();
    let seen = s.dir.path().join("seen");
    let hook = format!("hooks.post-port.leased=cat > {}", seen.display());
    s.cmd("ptest")
        .args(["--config", &hook, "port", "lease", "--range", "14710-14719"])
        .run()
        .success();
    let rec: serde_json::Value =
        serde_json::from_str(std::fs::read_to_string(&seen).unwrap().trim()).unwrap();
    assert_eq!(rec["kind"], "port");
}
