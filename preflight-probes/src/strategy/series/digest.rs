//! SHA-256 of a file as it streams through a parser, on a second thread for
//! large files so that hashing overlaps parsing.

use std::io::{self, Read};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::thread::JoinHandle;

use sha2::{Digest as _, Sha256};

/// From this size on, a file is hashed on its own thread: below it the
/// thread costs more than it saves.
const THREAD_FROM: u64 = 1 << 20;

/// Chunks waiting for the hashing thread: bounds the memory held while the
/// parser runs ahead.
const IN_FLIGHT: usize = 8;

/// A reader that hashes and counts every byte it hands on.
pub(super) struct Hashing<R> {
    inner: R,
    size: u64,
    sink: Sink,
}

enum Sink {
    Inline(Sha256),
    Worker(Worker),
}

/// A thread that hashes the chunks it is sent, handing their buffers back.
struct Worker {
    chunks: SyncSender<Vec<u8>>,
    spare: Receiver<Vec<u8>>,
    digest: JoinHandle<Vec<u8>>,
}

impl Worker {
    fn spawn() -> io::Result<Self> {
        let (chunks, received) = mpsc::sync_channel::<Vec<u8>>(IN_FLIGHT);
        let (give_back, spare) = mpsc::channel();
        let digest = std::thread::Builder::new()
            .name("preflight-sha256".to_owned())
            .spawn(move || {
                let mut hasher = Sha256::new();
                for chunk in received {
                    hasher.update(&chunk);
                    // The reader may be gone already (it stopped at an error): nothing to give back to.
                    let _ = give_back.send(chunk);
                }
                hasher.finalize().to_vec()
            })?;
        Ok(Worker {
            chunks,
            spare,
            digest,
        })
    }
}

impl<R> Hashing<R> {
    /// Wraps `inner`, whose length is expected to be `len` bytes (it decides
    /// whether hashing gets its own thread; any length is hashed right).
    pub(super) fn new(inner: R, len: u64) -> Self {
        let sink = if len >= THREAD_FROM {
            Worker::spawn().map_or_else(|_| Sink::Inline(Sha256::new()), Sink::Worker)
        } else {
            Sink::Inline(Sha256::new())
        };
        Hashing {
            inner,
            size: 0,
            sink,
        }
    }

    /// The `sha256:<hex>` digest and the size of everything read.
    pub(super) fn finish(self) -> io::Result<(String, u64)> {
        let digest = match self.sink {
            Sink::Inline(hasher) => hasher.finalize().to_vec(),
            Sink::Worker(Worker { chunks, digest, .. }) => {
                // Closing the channel lets the thread finish.
                drop(chunks);
                digest
                    .join()
                    .map_err(|_| io::Error::other("the hashing thread panicked"))?
            }
        };
        Ok((format_sha256(&digest), self.size))
    }
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let read = buf.get(..n).unwrap_or_default();
        match &mut self.sink {
            Sink::Inline(hasher) => hasher.update(read),
            Sink::Worker(worker) if !read.is_empty() => {
                let mut chunk = worker.spare.try_recv().unwrap_or_default();
                chunk.clear();
                chunk.extend_from_slice(read);
                worker
                    .chunks
                    .send(chunk)
                    .map_err(|_| io::Error::other("the hashing thread stopped"))?;
            }
            Sink::Worker(_) => {}
        }
        self.size += read.len() as u64;
        Ok(n)
    }
}

/// `sha256:` and the lowercase hex of a digest, as [`preflight_core::Artifact`] writes it.
pub(super) fn format_sha256(digest: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(7 + 2 * digest.len());
    out.push_str("sha256:");
    for byte in digest {
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 0xf)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest_of(bytes: &[u8], len_hint: u64) -> (String, u64) {
        let mut reader = Hashing::new(bytes, len_hint);
        // Small reads, so that many chunks go through the thread.
        let mut buf = [0; 1000];
        while reader.read(&mut buf).unwrap() > 0 {}
        reader.finish().unwrap()
    }

    #[test]
    fn inline_and_threaded_digests_agree_with_the_core() {
        let bytes: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
        let expected = preflight_core::evidence::sha256_hex(&bytes);
        assert_eq!(digest_of(&bytes, 0), (expected.clone(), 3_000_000));
        assert_eq!(digest_of(&bytes, THREAD_FROM), (expected, 3_000_000));
        assert_eq!(
            digest_of(b"abc", THREAD_FROM).0,
            preflight_core::evidence::sha256_hex(b"abc")
        );
    }
}
