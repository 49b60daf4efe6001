/// Deterministic, platform-independent randomness for the sample generator.
///
/// Everything here uses only integer arithmetic and the IEEE 754 basic operations
/// (+, -, *, /, exact conversions), never the C math library, Swift's
/// `SystemRandomNumberGenerator` or `Hasher`, so the same seed yields the same
/// bytes on every platform and Swift version.

/// SplitMix64 (Steele, Lea, Flood 2014): used to expand a 64-bit seed into the
/// xoshiro state, as recommended by the xoshiro authors.
public struct SplitMix64: Sendable {
    /// The current state; advanced by `0x9E3779B97F4A7C15` per output.
    public private(set) var state: UInt64

    /// Creates a generator whose first output is derived from `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 pseudo-random bits.
    @inline(__always)
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// xoshiro256** 1.0 (Blackman and Vigna 2018): fast, 256-bit state, passes BigCrush.
public struct Xoshiro256StarStar: Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// Seeds the four state words from SplitMix64(`seed`), so any seed (including 0) is valid.
    public init(seed: UInt64) {
        var sm = SplitMix64(seed: seed)
        s0 = sm.next(); s1 = sm.next(); s2 = sm.next(); s3 = sm.next()
    }

    /// The next 64 pseudo-random bits.
    @inline(__always)
    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    @inline(__always) private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// A uniform double in [0, 1) with 53 random bits (exact conversion).
    @inline(__always)
    public mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// A uniform integer in `0..<bound` (Lemire's multiply-shift; `bound` > 0).
    /// The bias is below 2^-40 for the bounds used here, and the result is deterministic.
    @inline(__always)
    public mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        return Int(next().multipliedFullWidth(by: UInt64(bound)).high)
    }

    /// A uniform integer in `range`.
    @inline(__always)
    public mutating func int(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + below(range.upperBound - range.lowerBound + 1)
    }

    /// True with probability `p`.
    @inline(__always)
    public mutating func chance(_ p: Double) -> Bool { nextUnit() < p }

    /// An approximately standard normal variate (Irwin-Hall: the sum of 12 uniforms minus 6).
    /// Bounded to [-6, 6], which suits sizes and latencies that must stay finite.
    public mutating func nextNormal() -> Double {
        var sum = 0.0
        for _ in 0..<12 { sum += nextUnit() }
        return sum - 6
    }

    /// A log-normal variate with the given median and shape `sigma` (mean = median * e^(sigma^2/2)).
    public mutating func nextLogNormal(median: Double, sigma: Double) -> Double {
        median * DeterministicMath.exp(sigma * nextNormal())
    }
}

/// Elementary functions built only from IEEE 754 basic operations, so their
/// results are bit-identical on every platform (unlike the C library's `exp`).
public enum DeterministicMath {
    /// e^x for |x| ≤ 700, with a relative error below 1e-15.
    public static func exp(_ x: Double) -> Double {
        let clamped = min(max(x, -700), 700)
        let ln2Hi = 6.93147180369123816490e-01
        let ln2Lo = 1.90821492927058770002e-10
        let k = (clamped * 1.44269504088896338700).rounded()
        let r = (clamped - k * ln2Hi) - k * ln2Lo
        // Taylor series to degree 13 on |r| ≤ 0.35: truncation error < 1e-17.
        var term = 1.0, sum = 1.0
        for n in 1...13 {
            term = term * r / Double(n)
            sum += term
        }
        return sum * power2(Int(k))
    }

    /// 2^k as an exact double, for -1022 ≤ k ≤ 1023.
    static func power2(_ k: Int) -> Double {
        Double(sign: .plus, exponent: k, significand: 1.0)
    }
}

/// A discrete distribution over `0..<count` given non-negative weights: O(log n) sampling by
/// binary search over the cumulative sums.
public struct WeightedIndex: Sendable {
    private let cumulative: [Double]

    /// Creates the distribution; at least one weight must be positive.
    public init(weights: [Double]) {
        precondition(!weights.isEmpty, "weights must not be empty")
        var sums = [Double](); sums.reserveCapacity(weights.count)
        var total = 0.0
        for w in weights { total += max(0, w); sums.append(total) }
        precondition(total > 0, "at least one weight must be positive")
        cumulative = sums
    }

    /// A Zipf-Mandelbrot distribution with exponent 1: weight(k) = 1 / (k + 1 + offset).
    /// Uses only division, so the weights are identical on every platform.
    public static func zipf(count: Int, offset: Double = 0) -> WeightedIndex {
        WeightedIndex(weights: (0..<count).map { 1.0 / (Double($0) + 1 + offset) })
    }

    /// The number of outcomes.
    public var count: Int { cumulative.count }

    /// The probability of outcome `index`.
    public func probability(of index: Int) -> Double {
        let previous = index == 0 ? 0 : cumulative[index - 1]
        return (cumulative[index] - previous) / cumulative[cumulative.count - 1]
    }

    /// Draws one outcome. O(log n).
    @inline(__always)
    public func sample(_ rng: inout Xoshiro256StarStar) -> Int {
        index(atUnit: rng.nextUnit())
    }

    /// The outcome at quantile `unit` in [0, 1) (inverse transform). O(log n).
    public func index(atUnit unit: Double) -> Int {
        let target = unit * cumulative[cumulative.count - 1]
        var lo = 0, hi = cumulative.count - 1
        while lo < hi {
            let mid = (lo + hi) >> 1
            if cumulative[mid] > target { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }
}
