//! The live table `ptest mon watch` shows on a terminal: one row per
//! resource, redrawn at each sample, like `top` or `docker stats`.

use crate::sample::Watched;
use ptest_shared::output::table;
use ptest_shared::units::format_size;
use std::io::Write;
use std::time::Duration;

pub fn draw(resources: &[&Watched], elapsed: Duration) {
    let rows: Vec<Vec<String>> = resources.iter().map(|w| row(w)).collect();
    let text = table(
        &[
            "ID", "NAME", "SOURCE", "MEMORY", "PEAK", "CPU %", "PROCS", "READ", "WRITTEN",
        ],
        &rows,
    );
    let mut err = std::io::stdout().lock();
    // Home, clear to the end of the screen, then the table.
    let _ = write!(
        err,
        "\x1b[H\x1b[J{text}\n{:.0}s watched; Ctrl-C stops\n",
        elapsed.as_secs_f64()
    );
    let _ = err.flush();
}

fn row(w: &Watched) -> Vec<String> {
    let Some(r) = &w.last else {
        return vec![
            w.id.clone(),
            w.name.clone(),
            w.source.name().into(),
            "-".into(),
        ];
    };
    let cpu = w.cpu.map_or("-".into(), |c| format!("{c:.1}"));
    vec![
        w.id.clone(),
        w.name.clone(),
        if w.gone {
            "gone".into()
        } else {
            w.source.name().into()
        },
        format_size(r.memory),
        format_size(w.memory_peak),
        cpu,
        r.procs.to_string(),
        format_size(r.io_read),
        format_size(r.io_write),
    ]
}
