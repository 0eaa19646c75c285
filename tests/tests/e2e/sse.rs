//! A Server-Sent Events client for the tests: opens `GET /api/v1/events`, reads the stream on
//! a task of its own and parses it into frames, which a test waits for with a deadline.

use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::mpsc;

use super::app::{Caller, TestApp};

/// One frame of the stream: an event, or a comment (a heartbeat).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// `id`, `event` and `data` fields (absent ones empty).
    Event {
        /// The `id` field; `None` when absent.
        id: Option<String>,
        /// The `event` field (`message` when absent).
        event: String,
        /// The `data` field.
        data: String,
    },
    /// A comment line, without its colon.
    Comment(String),
}

impl Frame {
    /// The data as JSON (`Null` for a comment or unparsable data).
    pub fn json(&self) -> Value {
        match self {
            Self::Event { data, .. } => serde_json::from_str(data).unwrap_or(Value::Null),
            Self::Comment(_) => Value::Null,
        }
    }

    /// The event's id as a number.
    pub fn id(&self) -> Option<u64> {
        match self {
            Self::Event { id, .. } => id.as_deref().and_then(|id| id.parse().ok()),
            Self::Comment(_) => None,
        }
    }

    /// The event's name (`None` for a comment).
    pub fn event(&self) -> Option<&str> {
        match self {
            Self::Event { event, .. } => Some(event),
            Self::Comment(_) => None,
        }
    }
}

/// An open stream.
#[derive(Debug)]
pub struct EventStream {
    frames: mpsc::UnboundedReceiver<Frame>,
    /// When the stream was opened.
    pub opened_at: Instant,
    /// The response status.
    pub status: u16,
    reader: tokio::task::JoinHandle<()>,
}

impl Drop for EventStream {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

impl TestApp {
    /// `GET /api/v1/events` as `who`, resuming after `last_event_id` when given; asserts
    /// 200 and `text/event-stream`.
    pub async fn events(&self, who: &Caller, last_event_id: Option<&str>) -> EventStream {
        let response = self.open_events(who, last_event_id).await;
        let status = response.status().as_u16();
        assert_eq!(status, 200, "the stream opens");
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        assert!(content_type.starts_with("text/event-stream"), "{content_type}");
        let (sender, frames) = mpsc::unbounded_channel();
        let reader = tokio::spawn(read_frames(response, sender));
        EventStream { frames, opened_at: Instant::now(), status, reader }
    }

    /// The raw response of `GET /api/v1/events` (for the refusals).
    pub async fn open_events(
        &self,
        who: &Caller,
        last_event_id: Option<&str>,
    ) -> reqwest::Response {
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .build()
            .expect("a client");
        let mut request = client.get(format!("{}/api/v1/events", self.server.base_url()));
        if let Some(token) = &who.token {
            request = request.bearer_auth(token);
        }
        if let Some(id) = last_event_id {
            request = request.header("Last-Event-ID", id);
        }
        tokio::time::timeout(Duration::from_secs(10), request.send())
            .await
            .expect("the stream answers within 10 s")
            .expect("the request is sent")
    }
}

async fn read_frames(mut response: reqwest::Response, sender: mpsc::UnboundedSender<Frame>) {
    let mut buffer = String::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            for frame in parse(&block) {
                if sender.send(frame).is_err() {
                    return;
                }
            }
        }
    }
}

/// The frames of one block (the text up to a blank line).
fn parse(block: &str) -> Vec<Frame> {
    let mut frames = Vec::new();
    let (mut id, mut event, mut data, mut any) = (None, String::from("message"), Vec::new(), false);
    for line in block.lines() {
        if let Some(comment) = line.strip_prefix(':') {
            frames.push(Frame::Comment(comment.trim().to_owned()));
            continue;
        }
        let (field, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        match field {
            "id" => {
                id = Some(value.to_owned());
                any = true;
            }
            "event" => {
                event = value.to_owned();
                any = true;
            }
            "data" => {
                data.push(value.to_owned());
                any = true;
            }
            _ => {}
        }
    }
    if any {
        frames.push(Frame::Event { id, event, data: data.join("\n") });
    }
    frames
}

impl EventStream {
    /// The next frame within `within`; `None` when the stream ended or nothing came.
    pub async fn next_frame(&mut self, within: Duration) -> Option<Frame> {
        tokio::time::timeout(within, self.frames.recv()).await.ok().flatten()
    }

    /// The next event (skipping comments) within `within`.
    pub async fn next_event(&mut self, within: Duration) -> Option<Frame> {
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.next_frame(left).await? {
                Frame::Comment(_) => {}
                event => return Some(event),
            }
        }
    }

    /// The events up to and including the first for which `until` holds, panicking if it
    /// does not come within `within`.
    pub async fn events_until(
        &mut self,
        within: Duration,
        until: impl Fn(&Frame) -> bool,
    ) -> Vec<Frame> {
        let deadline = Instant::now() + within;
        let mut seen = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let Some(frame) = self.next_event(left).await else {
                panic!("the awaited event did not come within {within:?}; got {seen:#?}");
            };
            let done = until(&frame);
            seen.push(frame);
            if done {
                return seen;
            }
        }
    }

    /// Whether the server ends the stream within `within` (frames before the end are
    /// skipped).
    pub async fn ends_within(&mut self, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, self.frames.recv()).await {
                Ok(None) => return true,
                Ok(Some(_)) => {}
                Err(_) => return false,
            }
        }
    }
}

/// True for an event about task `id`.
pub fn about_task(id: &str) -> impl Fn(&Frame) -> bool + '_ {
    move |frame| frame.json()["task_id"] == id
}
