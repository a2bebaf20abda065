//! The one SSO exchange every command calls: sign-in, the shared token and
//! credential caches, refresh, and the locks that keep them consistent.

pub mod cache;
pub mod client;
pub mod credentials;
pub mod discovery;
pub mod lock;
pub mod login;
pub mod ratelimit;
pub mod registration;
pub mod token;

pub use credentials::RoleCredentials;
