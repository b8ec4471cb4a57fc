//! The text readers: bytes to text (gzip, UTF-8 or UTF-16, what the bytes are), and text
//! to records (delimited text, JSON). They know CSV and JSON, and no export: what a
//! record means is the formats' business (`ingest::formats`).

pub mod damage;
pub mod decode;
pub mod delimited;
pub mod gzip;
pub mod json;
pub mod shape;
