//! Prometheus metrics of the HTTP edge: requests by method, route and status class, and a
//! latency histogram by method and route.
//!
//! Every label value comes from a closed set, so no request can add a time series: the method
//! is one of the standard methods or `OTHER` ([`method_label`](crate::metrics::method_label)), the route is a pattern the
//! application declared or `unmatched` (the caller passes `HttpRequest::match_pattern`), and
//! the status is its class, `1xx` … `5xx` ([`status_label`](crate::metrics::status_label)). A client that invents methods or
//! paths only moves the counters of `OTHER` and `unmatched`.
//!
//! The recorder is owned by [`HttpMetrics`], not installed globally: the app crate decides
//! whether to share it (e.g. to add database pool gauges through [`HttpMetrics::with_recorder`]),
//! and tests get a fresh one each.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use metrics_exporter_prometheus::{
    Matcher, PrometheusBuilder, PrometheusHandle, PrometheusRecorder,
};

/// Counter of finished requests.
pub const REQUESTS_TOTAL: &str = "http_requests_total";
/// Histogram of request latency in seconds.
pub const REQUEST_DURATION: &str = "http_request_duration_seconds";

/// Gauge of open event streams (`GET /api/v1/events`).
pub const EVENT_STREAMS_OPEN: &str = "taskforge_event_streams_open";
/// Counter of event streams closed because their client stopped reading.
pub const EVENT_STREAMS_SLOW_READERS: &str = "taskforge_event_streams_slow_readers_total";
/// Counter of event streams refused for the open-stream limits.
pub const EVENT_STREAMS_REFUSED: &str = "taskforge_event_streams_refused_total";

/// Latency buckets in seconds: 1 ms to 10 s.
const BUCKETS: &[f64] =
    &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// The HTTP metrics registry. Clones share it.
#[derive(Clone)]
pub struct HttpMetrics {
    recorder: Arc<PrometheusRecorder>,
    handle: PrometheusHandle,
}

impl HttpMetrics {
    /// A fresh, empty registry.
    #[must_use]
    pub fn new() -> Self {
        let builder = PrometheusBuilder::new();
        // Only an empty bucket list is refused; ours is a non-empty constant.
        let recorder =
            match builder.set_buckets_for_metric(Matcher::Full(REQUEST_DURATION.into()), BUCKETS) {
                Ok(builder) => builder.build_recorder(),
                Err(_) => PrometheusBuilder::new().build_recorder(),
            };
        let handle = recorder.handle();
        Self { recorder: Arc::new(recorder), handle }
    }

    /// Records one finished request. `route` must be a declared route pattern or `unmatched`,
    /// never a raw path; `method` and `status` are folded into their closed sets here.
    pub fn record_request(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let (method, route) = (method_label(method), route.to_owned());
        self.with_recorder(|| {
            metrics::counter!(
                REQUESTS_TOTAL,
                "method" => method,
                "route" => route.clone(),
                "status" => status_label(status)
            )
            .increment(1);
            metrics::histogram!(REQUEST_DURATION, "method" => method, "route" => route)
                .record(elapsed.as_secs_f64());
        });
    }

    /// Sets the number of open event streams.
    pub fn event_streams_open(&self, open: usize) {
        let open = open as f64;
        self.with_recorder(|| metrics::gauge!(EVENT_STREAMS_OPEN).set(open));
    }

    /// Counts an event stream closed because its client stopped reading.
    pub fn slow_event_reader_dropped(&self) {
        self.with_recorder(|| metrics::counter!(EVENT_STREAMS_SLOW_READERS).increment(1));
    }

    /// Counts an event stream refused for the open-stream limits.
    pub fn event_stream_refused(&self) {
        self.with_recorder(|| metrics::counter!(EVENT_STREAMS_REFUSED).increment(1));
    }

    /// Runs `f` with this registry as the `metrics` recorder, so `metrics::counter!` and
    /// friends inside it land here (e.g. database pool gauges registered by the app crate).
    pub fn with_recorder<T>(&self, f: impl FnOnce() -> T) -> T {
        metrics::with_local_recorder(&*self.recorder, f)
    }

    /// The Prometheus text exposition of everything recorded.
    #[must_use]
    pub fn render(&self) -> String {
        self.handle.run_upkeep();
        self.handle.render()
    }
}

/// The methods that keep their own label; every other method is counted as `OTHER`.
const KNOWN_METHODS: [&str; 9] =
    ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE"];

/// The label of a request method: a standard method as itself, anything else `OTHER`.
#[must_use]
pub fn method_label(method: &str) -> &'static str {
    KNOWN_METHODS.into_iter().find(|known| *known == method).unwrap_or("OTHER")
}

/// The label of a status code: its class, `1xx` to `5xx` (`other` for a code outside them).
#[must_use]
pub fn status_label(status: u16) -> &'static str {
    match status {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        500..=599 => "5xx",
        _ => "other",
    }
}

impl Default for HttpMetrics {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for HttpMetrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpMetrics").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_counted_by_route_and_status_with_a_latency_histogram() {
        let metrics = HttpMetrics::new();
        metrics.record_request("GET", "/api/v1/tasks/{id}", 200, Duration::from_millis(3));
        let text = metrics.render();
        assert!(text.contains("http_requests_total{"), "{text}");
        assert!(text.contains("route=\"/api/v1/tasks/{id}\""), "{text}");
        assert!(text.contains("status=\"2xx\""), "{text}");
        assert!(text.contains("http_request_duration_seconds_bucket{"), "{text}");
    }

    #[test]
    fn label_values_come_from_closed_sets() {
        assert_eq!(method_label("PATCH"), "PATCH");
        for odd in ["FOOA1", "get", "", &"X".repeat(60_000)] {
            assert_eq!(method_label(odd), "OTHER");
        }
        let classes: Vec<_> = [101, 204, 304, 404, 429, 503, 0, 999].map(status_label).into();
        assert_eq!(classes, ["1xx", "2xx", "3xx", "4xx", "4xx", "5xx", "other", "other"]);
    }
}
