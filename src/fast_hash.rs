//! The hash of the indexes keyed by the reviewer's own data: the label sets of a file's
//! rows (one lookup a row while reading) and the groups' index (one a row while filing).

/// Every row's key is hashed once or twice: with the standard SipHash that was most of
/// the filing's time (~4,400 instructions a row for a ~250-byte key) and ~4% of reading a
/// CSV log (the label sets). The keys come from
/// the reviewer's own files, so a hash built for speed rather than against crafted
/// collisions is enough (a file built to collide would only price slower).
pub type Fast = std::hash::BuildHasherDefault<FastHasher>;

/// A multiply-rotate hash over 8 bytes at a time (the rustc "Fx" scheme).
#[derive(Default)]
pub struct FastHasher(u64);

impl FastHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl std::hash::Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.add(u64::from_le_bytes(chunk.try_into().expect("8 bytes")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut last = [0u8; 8];
            last[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(last));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}
