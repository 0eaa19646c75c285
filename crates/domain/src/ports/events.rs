use crate::events::DomainEvent;

/// Where services report what happened (Observer). Publishing never fails from the service's
/// point of view: a subscriber that cannot keep up is the subscriber's problem, not the
/// request's. See [`crate::events::EventBus`] for the fan-out implementation.
pub trait EventPublisher: Send + Sync + std::fmt::Debug {
    /// Hands `event` to every subscriber.
    fn publish(&self, event: &DomainEvent);
}

/// Something that wants to hear about events.
pub trait EventSubscriber: Send + Sync + std::fmt::Debug {
    /// Called once per published event, on the publishing task: keep it quick and hand slow
    /// work elsewhere.
    fn on_event(&self, event: &DomainEvent);
}
