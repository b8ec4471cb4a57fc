use spend_reconciler::ingest::{Ingestor, Rules};
use spend_reconciler::pipeline;
use spend_reconciler::settings::Settings;
use std::io::Read;
use std::time::Instant;
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let settings = Settings::from_json(&std::fs::read_to_string(&args[1]).unwrap()).unwrap();
    let mut f = std::fs::File::open(&args[2]).unwrap();
    let mut ing = spend_reconciler::ingest::Ingestor::with_hashing(
        &args[2],
        Rules::default(),
        spend_reconciler::ingest::Hashing::Elsewhere,
    );
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        ing.push(&buf[..n]);
    }
    let report = ing.finish();
    let valid = settings.validate().ok().unwrap();
    let decodes: usize = std::env::var("PROBE_DECODES")
        .map(|v| v.parse().unwrap())
        .unwrap_or(0);
    for _ in 0..decodes {
        let mut it = report.rows.iter();
        let mut slot = None;
        let mut n = 0u64;
        while it.next_into(&mut slot) {
            n += slot.as_ref().map_or(0, |r| r.quota as u64);
        }
        println!("decoded {n}");
    }
    let builds: usize = std::env::var("PROBE_BUILDS")
        .map(|v| v.parse().unwrap())
        .unwrap_or(5);
    for _ in 0..builds {
        let t = Instant::now();
        let g = spend_reconciler::price::groups::Groups::build_stored([&report.rows], &valid);
        let built = t.elapsed().as_secs_f64();
        let t2 = Instant::now();
        let p = g.price(&valid);
        println!(
            "build {:.3} s, price {:.4} s, ok {}, groups {}",
            built,
            t2.elapsed().as_secs_f64(),
            p.is_some(),
            g.len()
        );
    }
    if std::env::var("PROBE_ONLY").is_ok() {
        return;
    }
    let mut files = vec![report];
    pipeline::count_files(&mut files);
    for _ in 0..3 {
        let t = Instant::now();
        let mut kept = pipeline::Kept::default();
        let review = pipeline::run_kept(files.clone(), &settings, &mut kept);
        let a = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let w = review.to_wire();
        println!(
            "run_kept {:.3} s, to_wire {:.3} s ({} bytes)",
            a,
            t.elapsed().as_secs_f64(),
            w.len()
        );
    }
}
