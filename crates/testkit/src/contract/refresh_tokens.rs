//! The contract of [`taskforge_domain::ports::RefreshTokenRepository`].

use super::fixtures::{at, digest, refresh_token, stored_token, stored_user, user};
use taskforge_domain::id::TokenFamilyId;
use taskforge_domain::ports::{
    Entity, RefreshTokenRecord, Repositories, RepositoryError, TokenDigest,
};

async fn found(repos: &Repositories, digest: &TokenDigest) -> Option<RefreshTokenRecord> {
    repos.refresh_tokens.find(digest).await.expect("find succeeds")
}

/// `insert` stores the token and `find` returns it by digest; `find` of an unknown digest
/// returns `None`.
pub async fn an_inserted_token_can_be_found_by_digest(repos: Repositories) {
    let alice = stored_user(&repos, user("alice")).await;
    let token = stored_token(&repos, refresh_token(&alice, TokenFamilyId::new(), at(0))).await;

    assert_eq!(found(&repos, &token.digest).await, Some(token), "find returns it as inserted");
    assert_eq!(found(&repos, &digest()).await, None, "find of an unknown digest returns None");
}

/// `insert` of a token whose digest is stored is [`RepositoryError::Duplicate`] and keeps
/// the stored token.
pub async fn inserting_a_token_with_a_stored_digest_is_a_duplicate(repos: Repositories) {
    let alice = stored_user(&repos, user("alice")).await;
    let token = stored_token(&repos, refresh_token(&alice, TokenFamilyId::new(), at(0))).await;
    let copy =
        RefreshTokenRecord { family: TokenFamilyId::new(), issued_at: at(5), ..token.clone() };

    let result = repos.refresh_tokens.insert(&copy).await;

    assert_err!(
        result,
        RepositoryError::Duplicate(Entity::RefreshToken),
        "insert of a stored digest"
    );
    assert_eq!(found(&repos, &token.digest).await, Some(token), "the stored token is unchanged");
}

/// `insert` of a token of a user who does not exist is
/// [`RepositoryError::MissingReference`] and stores nothing.
pub async fn inserting_a_token_of_an_unknown_user_is_a_missing_reference(repos: Repositories) {
    let ghost = user("ghost");
    let token = refresh_token(&ghost, TokenFamilyId::new(), at(0));

    let result = repos.refresh_tokens.insert(&token).await;

    assert_err!(
        result,
        RepositoryError::MissingReference(Entity::User),
        "insert of a token of an unknown user"
    );
    assert_eq!(found(&repos, &token.digest).await, None, "nothing was stored");
}

/// `rotate` marks the old token used at the successor's `issued_at` and stores the
/// successor.
pub async fn rotating_marks_the_old_token_used_and_stores_the_successor(repos: Repositories) {
    let alice = stored_user(&repos, user("alice")).await;
    let family = TokenFamilyId::new();
    let old = stored_token(&repos, refresh_token(&alice, family, at(0))).await;
    let successor = refresh_token(&alice, family, at(600));

    repos.refresh_tokens.rotate(&old.digest, &successor).await.expect("rotate succeeds");

    let used = RefreshTokenRecord { used_at: Some(at(600)), ..old.clone() };
    assert_eq!(found(&repos, &old.digest).await, Some(used), "the old token is used at issued_at");
    assert_eq!(found(&repos, &successor.digest).await, Some(successor), "successor is stored");
}

/// `rotate` of a token that was already used is [`RepositoryError::TokenSpent`] and
/// stores no successor.
pub async fn rotating_a_used_token_is_a_spent_token(repos: Repositories) {
    let alice = stored_user(&repos, user("alice")).await;
    let family = TokenFamilyId::new();
    let old = stored_token(&repos, refresh_token(&alice, family, at(0))).await;
    let first = refresh_token(&alice, family, at(600));
    repos.refresh_tokens.rotate(&old.digest, &first).await.expect("the first rotation succeeds");
    let replay = refresh_token(&alice, family, at(1_200));

    let result = repos.refresh_tokens.rotate(&old.digest, &replay).await;

    assert_err!(result, RepositoryError::TokenSpent, "rotation of a used token");
    assert_eq!(found(&repos, &replay.digest).await, None, "the replay's successor is not stored");
    let used = RefreshTokenRecord { used_at: Some(at(600)), ..old.clone() };
    assert_eq!(found(&repos, &old.digest).await, Some(used), "the old token keeps its used_at");
    assert_eq!(found(&repos, &first.digest).await, Some(first), "the real successor is unchanged");
}

/// `rotate` of a token that was revoked is [`RepositoryError::TokenSpent`] and stores no
/// successor.
pub async fn rotating_a_revoked_token_is_a_spent_token(repos: Repositories) {
    let alice = stored_user(&repos, user("alice")).await;
    let family = TokenFamilyId::new();
    let old = stored_token(&repos, refresh_token(&alice, family, at(0))).await;
    repos.refresh_tokens.revoke_family(family, at(300)).await.expect("revoke succeeds");
    let successor = refresh_token(&alice, family, at(600));

    let result = repos.refresh_tokens.rotate(&old.digest, &successor).await;

    assert_err!(result, RepositoryError::TokenSpent, "rotation of a revoked token");
    assert_eq!(found(&repos, &successor.digest).await, None, "the successor is not stored");
    let revoked = RefreshTokenRecord { revoked_at: Some(at(300)), ..old.clone() };
    assert_eq!(found(&repos, &old.digest).await, Some(revoked), "the old token is not marked used");
}

/// `rotate` of a digest that is not stored is [`RepositoryError::NotFound`] and stores no
/// successor.
pub async fn rotating_an_unknown_token_is_not_found(repos: Repositories) {
    let alice = stored_user(&repos, user("alice")).await;
    let successor = refresh_token(&alice, TokenFamilyId::new(), at(600));

    let result = repos.refresh_tokens.rotate(&digest(), &successor).await;

    assert_err!(
        result,
        RepositoryError::NotFound(Entity::RefreshToken),
        "rotation of an unknown token"
    );
    assert_eq!(found(&repos, &successor.digest).await, None, "the successor is not stored");
}

/// `rotate` to a successor whose digest is stored is [`RepositoryError::Duplicate`] and
/// changes nothing: the old token stays unused.
pub async fn rotating_into_a_stored_digest_is_a_duplicate(repos: Repositories) {
    let alice = stored_user(&repos, user("alice")).await;
    let family = TokenFamilyId::new();
    let old = stored_token(&repos, refresh_token(&alice, family, at(0))).await;
    let other = stored_token(&repos, refresh_token(&alice, TokenFamilyId::new(), at(0))).await;
    let successor =
        RefreshTokenRecord { digest: other.digest, ..refresh_token(&alice, family, at(600)) };

    let result = repos.refresh_tokens.rotate(&old.digest, &successor).await;

    assert_err!(
        result,
        RepositoryError::Duplicate(Entity::RefreshToken),
        "rotation into a stored digest"
    );
    assert_eq!(found(&repos, &old.digest).await, Some(old), "the old token stays unused");
    assert_eq!(found(&repos, &other.digest).await, Some(other), "the stored token is unchanged");
}

/// `revoke_family` revokes every not yet revoked token of the family at `at` and returns how
/// many; tokens revoked earlier and other families are left alone.
pub async fn revoking_a_family_revokes_its_unrevoked_tokens(repos: Repositories) {
    let alice = stored_user(&repos, user("alice")).await;
    let family = TokenFamilyId::new();
    let first = stored_token(&repos, refresh_token(&alice, family, at(0))).await;
    let second = refresh_token(&alice, family, at(60));
    repos.refresh_tokens.rotate(&first.digest, &second).await.expect("rotate succeeds");
    let early = stored_token(
        &repos,
        RefreshTokenRecord { revoked_at: Some(at(30)), ..refresh_token(&alice, family, at(10)) },
    )
    .await;
    let elsewhere = stored_token(&repos, refresh_token(&alice, TokenFamilyId::new(), at(0))).await;

    let count = repos.refresh_tokens.revoke_family(family, at(120)).await.expect("revoke works");
    let again = repos.refresh_tokens.revoke_family(family, at(180)).await.expect("revoke works");

    assert_eq!(count, 2, "the two unrevoked tokens of the family are counted");
    assert_eq!(again, 0, "nothing is left to revoke the second time");
    let expected_first =
        RefreshTokenRecord { used_at: Some(at(60)), revoked_at: Some(at(120)), ..first };
    assert_eq!(
        found(&repos, &expected_first.digest).await,
        Some(expected_first),
        "used one revoked"
    );
    let expected_second = RefreshTokenRecord { revoked_at: Some(at(120)), ..second };
    assert_eq!(
        found(&repos, &expected_second.digest).await,
        Some(expected_second),
        "active one revoked"
    );
    assert_eq!(found(&repos, &early.digest).await, Some(early), "an earlier revocation is kept");
    assert_eq!(found(&repos, &elsewhere.digest).await, Some(elsewhere), "other families stay");
    let unknown = repos.refresh_tokens.revoke_family(TokenFamilyId::new(), at(1)).await;
    assert_eq!(unknown.expect("revoke of an unknown family succeeds"), 0, "unknown family: 0");
}

/// `revoke_all_for_user` revokes every not yet revoked token of the user, in every family,
/// at `at`, and returns how many; other users' tokens are left alone.
pub async fn revoking_all_tokens_of_a_user_spares_other_users(repos: Repositories) {
    let alice = stored_user(&repos, user("alice")).await;
    let bob = stored_user(&repos, user("bob")).await;
    let laptop = stored_token(&repos, refresh_token(&alice, TokenFamilyId::new(), at(0))).await;
    let phone = stored_token(&repos, refresh_token(&alice, TokenFamilyId::new(), at(5))).await;
    let early = stored_token(
        &repos,
        RefreshTokenRecord {
            revoked_at: Some(at(30)),
            ..refresh_token(&alice, TokenFamilyId::new(), at(10))
        },
    )
    .await;
    let bobs = stored_token(&repos, refresh_token(&bob, TokenFamilyId::new(), at(0))).await;

    let count = repos.refresh_tokens.revoke_all_for_user(alice.id, at(120)).await.expect("works");
    let again = repos.refresh_tokens.revoke_all_for_user(alice.id, at(180)).await.expect("works");

    assert_eq!(count, 2, "alice's two unrevoked tokens are counted");
    assert_eq!(again, 0, "nothing is left to revoke the second time");
    for token in [laptop, phone] {
        let expected = RefreshTokenRecord { revoked_at: Some(at(120)), ..token };
        assert_eq!(found(&repos, &expected.digest).await, Some(expected), "revoked at `at`");
    }
    assert_eq!(found(&repos, &early.digest).await, Some(early), "an earlier revocation is kept");
    assert_eq!(found(&repos, &bobs.digest).await, Some(bobs), "other users' tokens stay");
}

/// `delete_expired` deletes the tokens that expired before the instant and returns how many.
pub async fn deleting_expired_tokens_removes_only_those_expired_before_the_instant(
    repos: Repositories,
) {
    let alice = stored_user(&repos, user("alice")).await;
    let family = TokenFamilyId::new();
    let cutoff = at(86_400);
    let expired = [
        stored_token(
            &repos,
            RefreshTokenRecord { expires_at: at(60), ..refresh_token(&alice, family, at(0)) },
        )
        .await,
        stored_token(
            &repos,
            RefreshTokenRecord {
                expires_at: at(86_399),
                used_at: Some(at(10)),
                ..refresh_token(&alice, family, at(0))
            },
        )
        .await,
    ];
    let valid = stored_token(
        &repos,
        RefreshTokenRecord { expires_at: at(86_401), ..refresh_token(&alice, family, at(0)) },
    )
    .await;

    let count = repos.refresh_tokens.delete_expired(cutoff).await.expect("delete_expired works");
    let again = repos.refresh_tokens.delete_expired(cutoff).await.expect("delete_expired works");

    assert_eq!(count, 2, "both tokens that expired before the instant are counted");
    assert_eq!(again, 0, "nothing is left to delete the second time");
    for token in &expired {
        assert_eq!(found(&repos, &token.digest).await, None, "an expired token is deleted");
    }
    assert_eq!(found(&repos, &valid.digest).await, Some(valid), "a still valid token stays");
}
