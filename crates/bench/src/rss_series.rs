//! A server's resident memory over a long run: `VmRSS` sampled once a second, summarised
//! (start, middle, end, peak) and judged "flat" or not.
//!
//! The criterion (stated in `docs/benchmarks.md`): the first half of the run is warm-up
//! (caches, connection buffers and the allocator's arenas fill there); over the second half
//! the resident memory may grow by at most [`FLAT_MAX_GROWTH_MB`](crate::rss_series::FLAT_MAX_GROWTH_MB) **and** at most
//! [`FLAT_MAX_GROWTH_FRACTION`](crate::rss_series::FLAT_MAX_GROWTH_FRACTION) of its mid-run value. Both ends are medians of five samples, so
//! one sample taken while a large response was buffered does not decide the verdict.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::measure::{kb_to_mb, median};
use crate::server::memory_of;

/// Most the memory may grow over the second half of the run, MB.
pub const FLAT_MAX_GROWTH_MB: f64 = 5.0;
/// Most the memory may grow over the second half of the run, as a fraction of its mid value.
pub const FLAT_MAX_GROWTH_FRACTION: f64 = 0.10;
/// Fewer samples than this cannot be judged (a smoke run is too short to mean anything).
pub const MIN_SAMPLES_TO_JUDGE: usize = 20;
/// Samples on each side of a point whose median stands for it.
const WINDOW: usize = 5;

/// Samples `VmRSS` of a process every `every` on a thread until finished.
#[derive(Debug)]
pub struct SeriesSampler {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<Vec<Sample>>>,
}

/// One sample.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Sample {
    /// Seconds since sampling started.
    pub at_s: f64,
    /// Resident memory, MB.
    pub rss_mb: f64,
}

impl SeriesSampler {
    /// Starts sampling `pid` now (the first sample is taken at once).
    pub fn start(pid: u32, every: Duration) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = thread::spawn(move || {
            let started = Instant::now();
            let mut samples = Vec::new();
            let mut next = started;
            while !flag.load(Ordering::Relaxed) {
                let now = Instant::now();
                if now >= next {
                    let rss_mb = kb_to_mb(memory_of(pid).rss_kb);
                    samples.push(Sample { at_s: (now - started).as_secs_f64(), rss_mb });
                    next += every;
                }
                // Short naps so that finish() returns promptly.
                thread::sleep(Duration::from_millis(20));
            }
            samples
        });
        Self { stop, thread: Some(thread) }
    }

    /// Stops and returns the samples.
    pub fn finish(mut self) -> Vec<Sample> {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.take().and_then(|t| t.join().ok()).unwrap_or_default()
    }
}

impl Drop for SeriesSampler {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The summary of a series and its verdict.
#[derive(Debug, Clone, Serialize)]
pub struct SeriesSummary {
    /// Samples taken.
    pub samples: usize,
    /// The first sample, MB.
    pub start_mb: f64,
    /// Median of the samples around the middle of the run, MB.
    pub mid_mb: f64,
    /// Median of the last samples, MB.
    pub end_mb: f64,
    /// The highest sample, MB.
    pub peak_mb: f64,
    /// `end_mb - mid_mb`.
    pub second_half_growth_mb: f64,
    /// Least-squares slope over the second half, MB per minute.
    pub second_half_slope_mb_per_min: f64,
    /// `Some(true)` when flat, `Some(false)` when not, `None` when too short to judge.
    pub flat: Option<bool>,
}

/// Summarises `samples` (in time order) and judges them.
pub fn summarise(samples: &[Sample]) -> SeriesSummary {
    let n = samples.len();
    let rss: Vec<f64> = samples.iter().map(|s| s.rss_mb).collect();
    let window_median = |from: usize, to: usize| {
        let mut part = rss.get(from.min(n)..to.min(n)).map(<[f64]>::to_vec).unwrap_or_default();
        median(&mut part)
    };
    let mid = n / 2;
    let mid_mb = window_median(mid.saturating_sub(WINDOW / 2), mid + WINDOW / 2 + 1);
    let end_mb = window_median(n.saturating_sub(WINDOW), n);
    let growth = end_mb - mid_mb;
    let within = growth <= FLAT_MAX_GROWTH_MB && growth <= FLAT_MAX_GROWTH_FRACTION * mid_mb;
    let flat = (n >= MIN_SAMPLES_TO_JUDGE).then_some(within);
    SeriesSummary {
        samples: n,
        start_mb: rss.first().copied().unwrap_or(0.0),
        mid_mb,
        end_mb,
        peak_mb: rss.iter().copied().fold(0.0, f64::max),
        second_half_growth_mb: growth,
        second_half_slope_mb_per_min: slope(samples.get(mid..).unwrap_or_default()) * 60.0,
        flat,
    }
}

/// Least-squares slope of RSS over time, MB per second (0 for fewer than two samples).
#[allow(clippy::cast_precision_loss)] // a few hundred samples
fn slope(samples: &[Sample]) -> f64 {
    let n = samples.len() as f64;
    if samples.len() < 2 {
        return 0.0;
    }
    let mean_t = samples.iter().map(|s| s.at_s).sum::<f64>() / n;
    let mean_m = samples.iter().map(|s| s.rss_mb).sum::<f64>() / n;
    let (mut cov, mut var) = (0.0, 0.0);
    for s in samples {
        cov += (s.at_s - mean_t) * (s.rss_mb - mean_m);
        var += (s.at_s - mean_t) * (s.at_s - mean_t);
    }
    if var > 0.0 { cov / var } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(values: impl IntoIterator<Item = f64>) -> Vec<Sample> {
        values
            .into_iter()
            .enumerate()
            .map(|(i, rss_mb)| Sample { at_s: f64::from(u32::try_from(i).unwrap()), rss_mb })
            .collect()
    }

    #[test]
    fn a_plateau_after_warm_up_is_flat() {
        // Grows during warm-up, then wobbles around 40 MB with one spike.
        let mut values: Vec<f64> = (0..30).map(|i| 10.0 + f64::from(i)).collect();
        values.extend((0..30).map(|i| if i == 20 { 60.0 } else { 40.0 + f64::from(i % 3) }));
        let s = summarise(&series(values));
        assert_eq!(s.flat, Some(true), "{s:?}");
        assert!((s.start_mb - 10.0).abs() < 1e-9);
        assert!((s.peak_mb - 60.0).abs() < 1e-9);
        assert!(s.second_half_growth_mb.abs() <= 2.0, "{s:?}");
    }

    #[test]
    fn steady_growth_in_the_second_half_is_not_flat() {
        // 0.5 MB a second throughout: 15 MB over the second half.
        let s = summarise(&series((0..60).map(|i| 20.0 + f64::from(i) * 0.5)));
        assert_eq!(s.flat, Some(false), "{s:?}");
        assert!((s.second_half_slope_mb_per_min - 30.0).abs() < 1e-6, "{s:?}");
    }

    #[test]
    fn small_absolute_growth_of_a_tiny_process_is_judged_by_the_fraction() {
        // +4 MB on 10 MB, ten seconds after the middle: under 5 MB, but 40 %.
        let mut values = vec![10.0; 40];
        values.extend(vec![14.0; 20]);
        assert_eq!(summarise(&series(values)).flat, Some(false));
    }

    #[test]
    fn a_short_series_is_not_judged() {
        let s = summarise(&series([10.0, 11.0, 12.0]));
        assert_eq!(s.flat, None);
        assert_eq!(s.samples, 3);
        assert_eq!(summarise(&[]).flat, None);
    }
}
