//! The one SSO exchange every command calls: sign-in, the shared token and
//! credential caches, refresh, and the locks that keep them consistent.

pub mod assume;
pub mod attempt;
pub mod browser;
pub mod cache;
pub mod callback;
pub mod client;
pub mod countdown;
pub mod credentials;
pub mod device;
pub mod discovery;
pub mod lock;
pub mod login;
pub mod pkce;
pub mod ratelimit;
pub mod registration;
pub mod single_flight;
pub mod token;

pub use credentials::RoleCredentials;
