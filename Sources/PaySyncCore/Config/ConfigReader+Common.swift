import Foundation

/// Values many kinds of source read the same way: a time zone, a rate limit, a sweep, a day.
extension ConfigReader {
    /// An IANA time zone name (`"Europe/London"`).
    public mutating func timeZone(_ object: JSONObject, _ key: String, at path: String) -> String? {
        guard let zone = string(object, key, at: path) else { return nil }
        guard TimeZone(identifier: zone) != nil else {
            fail(join(path, key), "unknown time zone \"\(zone)\"\(Suggestion.didYouMean(zone, in: TimeZone.knownTimeZoneIdentifiers)); use an IANA name such as \"Europe/London\"")
            return nil
        }
        return zone
    }

    /// `{"per_minute": N, "concurrent": N}`; keys left out keep `defaults`.
    public mutating func rateLimit(_ object: JSONObject, _ key: String, at path: String, defaults: RateLimitSettings) -> RateLimitSettings? {
        let keyPath = join(path, key)
        guard let limit = self.object(object[key], at: keyPath, allowed: ["per_minute", "concurrent"]) else { return nil }
        let perMinute = integer(limit, "per_minute", at: keyPath, range: 1...1_000_000) ?? defaults.perMinute
        let concurrent = integer(limit, "concurrent", at: keyPath, range: 1...100) ?? defaults.concurrent
        return RateLimitSettings(perMinute: perMinute, concurrent: concurrent)
    }

    /// `{"every_hours": H, "window_days": D}`, both required.
    public mutating func sweep(_ object: JSONObject, _ key: String, at path: String) -> SweepSettings? {
        let keyPath = join(path, key)
        guard let sweep = self.object(object[key], at: keyPath, allowed: ["every_hours", "window_days"]) else { return nil }
        let every = number(sweep, "every_hours", at: keyPath, range: 0.01...8760)
        let window = integer(sweep, "window_days", at: keyPath, range: 1...3650)
        if every == nil && sweep["every_hours"] == nil { fail("\(keyPath).every_hours", "is required") }
        if window == nil && sweep["window_days"] == nil { fail("\(keyPath).window_days", "is required") }
        guard let every, let window else { return nil }
        return SweepSettings(everyHours: every, windowDays: window)
    }

    /// A day written `YYYY-MM-DD`.
    public mutating func date(_ object: JSONObject, _ key: String, at path: String) -> CalendarDate? {
        guard let text = string(object, key, at: path) else { return nil }
        guard let date = CalendarDate(iso: text), text.count == 10 else {
            fail(join(path, key), "\"\(text)\" is not a date; write YYYY-MM-DD")
            return nil
        }
        return date
    }
}
