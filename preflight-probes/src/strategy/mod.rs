//! Strategy validation: the seed's "Backtesting Results" and "Model Validation"
//! groups and the backtest and paper-trading lines of "Testing", judged on real
//! return series with statistics a quant reviewer would accept.
//!
//! - [`stats`]: the statistics, independent of the checks, each with its formula.
//! - [`series`]: the inputs (`[inputs.backtest]`, `[inputs.trials]`, ...), parsed
//!   once per run; malformed files are errors naming file, line and column.
//! - The items: [`backtest`] (Sharpe, drawdown, win rate, regimes, costs,
//!   out-of-sample, walk-forward, history), [`overfitting`] (DSR and PBO),
//!   [`paper`] (paper trading) and [`model`] (drift, cross-validation,
//!   versioning, fallback).

pub mod backtest;
pub mod model;
pub mod overfitting;
pub mod paper;
pub mod series;
pub mod stats;
