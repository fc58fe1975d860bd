//! MurmurHash3 x86 32-bit, as the `murmurhash` npm package (2.0.1, `murmur.v3`) computes
//! it on the UTF-8 bytes of a string. `@actual-app/crdt` hashes timestamps with seed 0.

/// MurmurHash3 (x86, 32-bit) of `data` with `seed`.
pub fn murmurhash3_32(data: &[u8], seed: u32) -> u32 {
    const C1: u32 = 0xcc9e_2d51;
    const C2: u32 = 0x1b87_3593;
    let mut h1 = seed;
    let mut chunks = data.chunks_exact(4);
    for chunk in &mut chunks {
        let mut k1 = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        k1 = k1.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2);
        h1 ^= k1;
        h1 = h1.rotate_left(13).wrapping_mul(5).wrapping_add(0xe654_6b64);
    }
    let tail = chunks.remainder();
    if !tail.is_empty() {
        let mut k1: u32 = 0;
        for (i, b) in tail.iter().enumerate() {
            k1 ^= (*b as u32) << (8 * i);
        }
        k1 = k1.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2);
        h1 ^= k1;
    }
    h1 ^= data.len() as u32;
    h1 ^= h1 >> 16;
    h1 = h1.wrapping_mul(0x85eb_ca6b);
    h1 ^= h1 >> 13;
    h1 = h1.wrapping_mul(0xc2b2_ae35);
    h1 ^= h1 >> 16;
    h1
}

/// `murmurhash.v3(s)` with seed 0, over the UTF-8 bytes of `s`.
pub fn murmur_v3(s: &str) -> u32 {
    murmurhash3_32(s.as_bytes(), 0)
}
