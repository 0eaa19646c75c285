//! The domain's `Services` facade: every use case built from one set of ports and settings,
//! as the app crate and any driving adapter get them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;
use std::time::Duration;

use support::{World, category_name};
use taskforge_crypto::{
    AeadCursorSealer, HmacKey, JwtConfig, JwtIssuer, Pbkdf2Config, Pbkdf2Hasher,
    RandomRefreshTokens,
};
use taskforge_domain::commands::CreateCategory;
use taskforge_domain::services::{
    BucketSettings, CategoryError, ServicePorts, ServiceSettings, Services,
};
use taskforge_testkit::RecordingPublisher;

fn services(world: &World, events: Arc<RecordingPublisher>, settings: ServiceSettings) -> Services {
    let hasher = Pbkdf2Hasher::new(Pbkdf2Config::with_iterations(1_000)).unwrap();
    let key = HmacKey::new("test", b"0123456789abcdef0123456789abcdef".to_vec()).unwrap();
    let config = JwtConfig::new("taskforge", "taskforge-api", key);
    let tokens = JwtIssuer::new(config, world.clock.clone()).unwrap();
    Services::new(
        ServicePorts {
            repositories: world.repos.clone(),
            hasher: Arc::new(hasher),
            tokens: Arc::new(tokens),
            minter: Arc::new(RandomRefreshTokens::new()),
            cursor_sealer: Arc::new(AeadCursorSealer::from_secrets(
                b"a secret of 32 bytes or more!!!!",
                None,
            )),
            clock: world.clock.clone(),
            events,
        },
        settings,
    )
}

#[tokio::test]
async fn the_facade_applies_its_settings_and_its_clones_share_one_budget() {
    // Arrange: one category creation per hour, through two clones of one facade.
    let world = World::new();
    let editor = world.editor("eddie").await;
    let events = Arc::new(RecordingPublisher::new());
    let settings = ServiceSettings {
        category_creations: BucketSettings::new(1, Duration::from_secs(3600)),
        ..ServiceSettings::default()
    };
    let first = services(&world, events.clone(), settings);
    let second = first.clone();

    // Act
    let created =
        first.categories.create(&editor, CreateCategory { name: category_name("bug") }).await;
    let refused =
        second.categories.create(&editor, CreateCategory { name: category_name("docs") }).await;

    // Assert: the budget came from the settings and is shared; events go to the given port.
    created.unwrap();
    assert!(matches!(refused, Err(CategoryError::Throttled { .. })), "{refused:?}");
    assert_eq!(
        events.names(),
        ["category_created"],
        "the creation was published to the facade's publisher"
    );
}
