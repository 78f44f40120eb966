//! The reconcilers and what they share. (Being built: today the condition
//! bookkeeping every kind uses.)

pub mod conditions;
