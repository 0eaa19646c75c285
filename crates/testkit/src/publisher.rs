use std::sync::Mutex;

use taskforge_domain::events::DomainEvent;
use taskforge_domain::ports::EventPublisher;

/// Keeps every published event, for assertions.
#[derive(Debug, Default)]
pub struct RecordingPublisher(Mutex<Vec<DomainEvent>>);

impl RecordingPublisher {
    /// An empty recorder.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Everything published so far, in order.
    #[must_use]
    pub fn events(&self) -> Vec<DomainEvent> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The names of everything published so far, in order.
    #[must_use]
    pub fn names(&self) -> Vec<&'static str> {
        self.events().iter().map(|e| e.kind.name()).collect()
    }
}

impl EventPublisher for RecordingPublisher {
    fn publish(&self, event: &DomainEvent) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push(event.clone());
    }
}
