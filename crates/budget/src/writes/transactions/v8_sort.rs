//! `Array.prototype.sort` as V8 runs it (TimSort, `third_party/v8/builtins/array-sort.tq`):
//! run detection, binary insertion sort below the minimum run length, merges with
//! galloping. Upstream sorts fuzzy-match candidates with a comparator that never
//! answers 0 (`server/accounts/sync.ts`), so which of two equal candidates comes first
//! is whatever this exact algorithm makes of it; a different stable sort would pick
//! other winners.

use std::cmp::{max, min};

const MIN_GALLOP_WINS: usize = 7;

/// Sorts `v` as V8 does with a comparator answering `< 0` for "a before b".
pub fn sort<T: Clone>(v: &mut [T], mut cmp: impl FnMut(&T, &T) -> f64) {
    let length = v.len();
    if length < 2 {
        return;
    }
    let mut s = State {
        work: v,
        cmp: &mut cmp,
        min_gallop: MIN_GALLOP_WINS,
        runs: Vec::new(),
        temp: Vec::new(),
    };
    let mut remaining = length;
    let mut low = 0;
    let min_run = min_run_length(remaining);
    while remaining != 0 {
        let mut run = s.count_and_make_run(low, low + remaining);
        if run < min_run {
            let forced = min(min_run, remaining);
            s.binary_insertion_sort(low, low + run, low + forced);
            run = forced;
        }
        s.runs.push((low, run));
        s.merge_collapse();
        low += run;
        remaining -= run;
    }
    s.merge_force_collapse();
}

fn min_run_length(mut n: usize) -> usize {
    let mut r = 0;
    while n >= 64 {
        r |= n & 1;
        n >>= 1;
    }
    n + r
}

struct State<'a, T, F: FnMut(&T, &T) -> f64> {
    work: &'a mut [T],
    cmp: &'a mut F,
    min_gallop: usize,
    /// Pending runs: (base, length).
    runs: Vec<(usize, usize)>,
    /// The run a merge copied aside.
    temp: Vec<T>,
}

/// Which array a gallop searches.
#[derive(Clone, Copy)]
enum Src {
    Work,
    Temp,
}

/// Where a merge ends (the labels of V8's merge loops).
enum Exit {
    Succeed,
    Copy,
}

impl<T: Clone, F: FnMut(&T, &T) -> f64> State<'_, T, F> {
    fn lt(&mut self, a: &T, b: &T) -> bool {
        (self.cmp)(a, b) < 0.0
    }

    fn temp_at(&self, i: usize) -> T {
        self.temp[i].clone()
    }

    fn elem(&self, src: Src, i: usize) -> T {
        match src {
            Src::Work => self.work[i].clone(),
            Src::Temp => self.temp[i].clone(),
        }
    }

    /// `GallopLeft`: where `key` goes in the sorted `length` elements at `base`,
    /// before any equal ones, searching out from `hint`.
    fn gallop_left(&mut self, src: Src, key: &T, base: usize, length: usize, hint: usize) -> usize {
        let (mut last_ofs, mut offset) = (0usize, 1usize);
        let hint_elem = self.elem(src, base + hint);
        if self.lt(&hint_elem, key) {
            let max_ofs = length - hint;
            while offset < max_ofs {
                let e = self.elem(src, base + hint + offset);
                if !self.lt(&e, key) {
                    break;
                }
                last_ofs = offset;
                offset = (offset << 1) + 1;
            }
            offset = min(offset, max_ofs);
            last_ofs += hint;
            offset += hint;
        } else {
            let max_ofs = hint + 1;
            while offset < max_ofs {
                let e = self.elem(src, base + hint - offset);
                if self.lt(&e, key) {
                    break;
                }
                last_ofs = offset;
                offset = (offset << 1) + 1;
            }
            offset = min(offset, max_ofs);
            let tmp = last_ofs as isize;
            let lo = hint as isize - offset as isize;
            offset = (hint as isize - tmp) as usize;
            return self.gallop_finish_left(src, key, base, lo, offset);
        }
        self.gallop_finish_left(src, key, base, last_ofs as isize, offset)
    }

    fn gallop_finish_left(
        &mut self,
        src: Src,
        key: &T,
        base: usize,
        last_ofs: isize,
        mut offset: usize,
    ) -> usize {
        let mut lo = (last_ofs + 1) as usize;
        while lo < offset {
            let m = lo + ((offset - lo) >> 1);
            let e = self.elem(src, base + m);
            if self.lt(&e, key) {
                lo = m + 1;
            } else {
                offset = m;
            }
        }
        offset
    }

    /// `GallopRight`: where `key` goes, after any equal ones.
    fn gallop_right(
        &mut self,
        src: Src,
        key: &T,
        base: usize,
        length: usize,
        hint: usize,
    ) -> usize {
        let (mut last_ofs, mut offset) = (0usize, 1usize);
        let hint_elem = self.elem(src, base + hint);
        let lo: isize;
        if self.lt(key, &hint_elem) {
            let max_ofs = hint + 1;
            while offset < max_ofs {
                let e = self.elem(src, base + hint - offset);
                if !self.lt(key, &e) {
                    break;
                }
                last_ofs = offset;
                offset = (offset << 1) + 1;
            }
            offset = min(offset, max_ofs);
            lo = hint as isize - offset as isize;
            offset = hint - last_ofs;
        } else {
            let max_ofs = length - hint;
            while offset < max_ofs {
                let e = self.elem(src, base + hint + offset);
                if self.lt(key, &e) {
                    break;
                }
                last_ofs = offset;
                offset = (offset << 1) + 1;
            }
            offset = min(offset, max_ofs);
            lo = (last_ofs + hint) as isize;
            offset += hint;
        }
        let mut lo = (lo + 1) as usize;
        while lo < offset {
            let m = lo + ((offset - lo) >> 1);
            let e = self.elem(src, base + m);
            if self.lt(key, &e) {
                offset = m;
            } else {
                lo = m + 1;
            }
        }
        offset
    }

    fn count_and_make_run(&mut self, low_arg: usize, high: usize) -> usize {
        let low = low_arg + 1;
        if low == high {
            return 1;
        }
        let mut run = 2;
        let (a, b) = (self.work[low].clone(), self.work[low - 1].clone());
        let descending = self.lt(&a, &b);
        let mut previous = a;
        for idx in low + 1..high {
            let current = self.work[idx].clone();
            let order_lt = self.lt(&current, &previous);
            if descending != order_lt {
                break;
            }
            previous = current;
            run += 1;
        }
        if descending {
            self.work[low_arg..low_arg + run].reverse();
        }
        run
    }

    fn binary_insertion_sort(&mut self, low: usize, start_arg: usize, high: usize) {
        let mut start = if low == start_arg {
            start_arg + 1
        } else {
            start_arg
        };
        while start < high {
            let (mut left, mut right) = (low, start);
            let pivot = self.work[start].clone();
            while left < right {
                let mid = left + ((right - left) >> 1);
                let m = self.work[mid].clone();
                if self.lt(&pivot, &m) {
                    right = mid;
                } else {
                    left = mid + 1;
                }
            }
            for p in (left + 1..=start).rev() {
                self.work[p] = self.work[p - 1].clone();
            }
            self.work[left] = pivot;
            start += 1;
        }
    }

    fn run_len(&self, i: usize) -> usize {
        self.runs[i].1
    }

    fn invariant(&self, n: usize) -> bool {
        if n < 2 {
            return true;
        }
        self.run_len(n - 2) > self.run_len(n - 1) + self.run_len(n)
    }

    fn merge_collapse(&mut self) {
        while self.runs.len() > 1 {
            let mut n = self.runs.len() - 2;
            if !self.invariant(n + 1) || !self.invariant(n) {
                if self.run_len(n - 1) < self.run_len(n + 1) {
                    n -= 1;
                }
                self.merge_at(n);
            } else if self.run_len(n) <= self.run_len(n + 1) {
                self.merge_at(n);
            } else {
                break;
            }
        }
    }

    fn merge_force_collapse(&mut self) {
        while self.runs.len() > 1 {
            let mut n = self.runs.len() - 2;
            if n > 0 && self.run_len(n - 1) < self.run_len(n + 1) {
                n -= 1;
            }
            self.merge_at(n);
        }
    }

    fn merge_at(&mut self, i: usize) {
        let (mut base_a, mut length_a) = self.runs[i];
        let (base_b, mut length_b) = self.runs[i + 1];
        self.runs[i].1 = length_a + length_b;
        self.runs.remove(i + 1);
        let key_right = self.work[base_b].clone();
        let k = self.gallop_right(Src::Work, &key_right, base_a, length_a, 0);
        base_a += k;
        length_a -= k;
        if length_a == 0 {
            return;
        }
        let key_left = self.work[base_a + length_a - 1].clone();
        length_b = self.gallop_left(Src::Work, &key_left, base_b, length_b, length_b - 1);
        if length_b == 0 {
            return;
        }
        if length_a <= length_b {
            self.merge_low(base_a, length_a, base_b, length_b);
        } else {
            self.merge_high(base_a, length_a, base_b, length_b);
        }
    }

    fn merge_low(
        &mut self,
        base_a: usize,
        mut length_a: usize,
        base_b: usize,
        mut length_b: usize,
    ) {
        let temp: Vec<T> = self.work[base_a..base_a + length_a].to_vec();
        self.temp = temp;
        let (mut dest, mut cursor_temp, mut cursor_b) = (base_a, 0, base_b);
        self.work[dest] = self.work[cursor_b].clone();
        dest += 1;
        cursor_b += 1;
        let exit = 'merge: {
            length_b -= 1;
            if length_b == 0 {
                break 'merge Exit::Succeed;
            }
            if length_a == 1 {
                break 'merge Exit::Copy;
            }
            let mut min_gallop = self.min_gallop;
            loop {
                let (mut wins_a, mut wins_b) = (0, 0);
                loop {
                    let (b, t) = (self.work[cursor_b].clone(), self.temp_at(cursor_temp));
                    if self.lt(&b, &t) {
                        self.work[dest] = b;
                        dest += 1;
                        cursor_b += 1;
                        wins_b += 1;
                        length_b -= 1;
                        wins_a = 0;
                        if length_b == 0 {
                            break 'merge Exit::Succeed;
                        }
                        if wins_b >= min_gallop {
                            break;
                        }
                    } else {
                        self.work[dest] = t;
                        dest += 1;
                        cursor_temp += 1;
                        wins_a += 1;
                        length_a -= 1;
                        wins_b = 0;
                        if length_a == 1 {
                            break 'merge Exit::Copy;
                        }
                        if wins_a >= min_gallop {
                            break;
                        }
                    }
                }
                min_gallop += 1;
                let mut first = true;
                while wins_a >= MIN_GALLOP_WINS || wins_b >= MIN_GALLOP_WINS || first {
                    first = false;
                    min_gallop = max(1, min_gallop - 1);
                    self.min_gallop = min_gallop;
                    let key = self.work[cursor_b].clone();
                    wins_a = self.gallop_right(Src::Temp, &key, cursor_temp, length_a, 0);
                    if wins_a > 0 {
                        for j in 0..wins_a {
                            self.work[dest + j] = self.temp_at(cursor_temp + j);
                        }
                        dest += wins_a;
                        cursor_temp += wins_a;
                        length_a -= wins_a;
                        if length_a == 1 {
                            break 'merge Exit::Copy;
                        }
                        if length_a == 0 {
                            break 'merge Exit::Succeed;
                        }
                    }
                    self.work[dest] = self.work[cursor_b].clone();
                    dest += 1;
                    cursor_b += 1;
                    length_b -= 1;
                    if length_b == 0 {
                        break 'merge Exit::Succeed;
                    }
                    let key = self.temp_at(cursor_temp);
                    wins_b = self.gallop_left(Src::Work, &key, cursor_b, length_b, 0);
                    if wins_b > 0 {
                        for j in 0..wins_b {
                            self.work[dest + j] = self.work[cursor_b + j].clone();
                        }
                        dest += wins_b;
                        cursor_b += wins_b;
                        length_b -= wins_b;
                        if length_b == 0 {
                            break 'merge Exit::Succeed;
                        }
                    }
                    self.work[dest] = self.temp_at(cursor_temp);
                    dest += 1;
                    cursor_temp += 1;
                    length_a -= 1;
                    if length_a == 1 {
                        break 'merge Exit::Copy;
                    }
                }
                min_gallop += 1;
                self.min_gallop = min_gallop;
            }
        };
        match exit {
            Exit::Succeed => {
                for j in 0..length_a {
                    self.work[dest + j] = self.temp_at(cursor_temp + j);
                }
            }
            Exit::Copy => {
                for j in 0..length_b {
                    self.work[dest + j] = self.work[cursor_b + j].clone();
                }
                self.work[dest + length_b] = self.temp_at(cursor_temp);
            }
        }
        self.temp.clear();
    }

    fn merge_high(
        &mut self,
        base_a: usize,
        mut length_a: usize,
        base_b: usize,
        mut length_b: usize,
    ) {
        let temp: Vec<T> = self.work[base_b..base_b + length_b].to_vec();
        self.temp = temp;
        // Cursors may step one below their run's start: signed arithmetic.
        let mut dest = (base_b + length_b - 1) as isize;
        let mut cursor_temp = length_b as isize - 1;
        let mut cursor_a = (base_a + length_a - 1) as isize;
        self.work[dest as usize] = self.work[cursor_a as usize].clone();
        dest -= 1;
        cursor_a -= 1;
        let exit = 'merge: {
            length_a -= 1;
            if length_a == 0 {
                break 'merge Exit::Succeed;
            }
            if length_b == 1 {
                break 'merge Exit::Copy;
            }
            let mut min_gallop = self.min_gallop;
            loop {
                let (mut wins_a, mut wins_b) = (0, 0);
                loop {
                    let (t, a) = (
                        self.temp_at(cursor_temp as usize),
                        self.work[cursor_a as usize].clone(),
                    );
                    if self.lt(&t, &a) {
                        self.work[dest as usize] = a;
                        dest -= 1;
                        cursor_a -= 1;
                        wins_a += 1;
                        length_a -= 1;
                        wins_b = 0;
                        if length_a == 0 {
                            break 'merge Exit::Succeed;
                        }
                        if wins_a >= min_gallop {
                            break;
                        }
                    } else {
                        self.work[dest as usize] = t;
                        dest -= 1;
                        cursor_temp -= 1;
                        wins_b += 1;
                        length_b -= 1;
                        wins_a = 0;
                        if length_b == 1 {
                            break 'merge Exit::Copy;
                        }
                        if wins_b >= min_gallop {
                            break;
                        }
                    }
                }
                min_gallop += 1;
                let mut first = true;
                while wins_a >= MIN_GALLOP_WINS || wins_b >= MIN_GALLOP_WINS || first {
                    first = false;
                    min_gallop = max(1, min_gallop - 1);
                    self.min_gallop = min_gallop;
                    let key = self.temp_at(cursor_temp as usize);
                    let k = self.gallop_right(Src::Work, &key, base_a, length_a, length_a - 1);
                    wins_a = length_a - k;
                    if wins_a > 0 {
                        dest -= wins_a as isize;
                        cursor_a -= wins_a as isize;
                        for j in (0..wins_a).rev() {
                            self.work[(dest + 1) as usize + j] =
                                self.work[(cursor_a + 1) as usize + j].clone();
                        }
                        length_a -= wins_a;
                        if length_a == 0 {
                            break 'merge Exit::Succeed;
                        }
                    }
                    self.work[dest as usize] = self.temp_at(cursor_temp as usize);
                    dest -= 1;
                    cursor_temp -= 1;
                    length_b -= 1;
                    if length_b == 1 {
                        break 'merge Exit::Copy;
                    }
                    let key = self.work[cursor_a as usize].clone();
                    let k = self.gallop_left(Src::Temp, &key, 0, length_b, length_b - 1);
                    wins_b = length_b - k;
                    if wins_b > 0 {
                        dest -= wins_b as isize;
                        cursor_temp -= wins_b as isize;
                        for j in 0..wins_b {
                            self.work[(dest + 1) as usize + j] =
                                self.temp_at((cursor_temp + 1) as usize + j);
                        }
                        length_b -= wins_b;
                        if length_b == 1 {
                            break 'merge Exit::Copy;
                        }
                        if length_b == 0 {
                            break 'merge Exit::Succeed;
                        }
                    }
                    self.work[dest as usize] = self.work[cursor_a as usize].clone();
                    dest -= 1;
                    cursor_a -= 1;
                    length_a -= 1;
                    if length_a == 0 {
                        break 'merge Exit::Succeed;
                    }
                }
                min_gallop += 1;
                self.min_gallop = min_gallop;
            }
        };
        match exit {
            Exit::Succeed => {
                if length_b > 0 {
                    let start = (dest - (length_b as isize - 1)) as usize;
                    for j in 0..length_b {
                        self.work[start + j] = self.temp_at(j);
                    }
                }
            }
            Exit::Copy => {
                dest -= length_a as isize;
                cursor_a -= length_a as isize;
                for j in (0..length_a).rev() {
                    self.work[(dest + 1) as usize + j] =
                        self.work[(cursor_a + 1) as usize + j].clone();
                }
                self.work[dest as usize] = self.temp_at(cursor_temp as usize);
            }
        }
        self.temp.clear();
    }
}
