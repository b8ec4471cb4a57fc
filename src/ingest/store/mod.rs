//! The row store and the ledger: what is kept of each file once its records are read.
//! The accepted rows in compact form ([`rows`]), every row's bucket ([`ledger`]), what
//! a file of another stream adds ([`evidence`]), the report of a file ([`report`]), and
//! rows several files hold, counted once ([`overlap`]), and the hashed labels a budget
//! review allocates each row by ([`labels`]).

pub mod evidence;
pub mod facts;
pub mod labels;
pub mod ledger;
pub mod overlap;
pub mod report;
pub mod room;
pub mod rows;
