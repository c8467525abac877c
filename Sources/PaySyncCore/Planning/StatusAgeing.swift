/// Statuses that change with the calendar, not with the provider: a sent invoice whose due date
/// has passed is overdue, though nobody touched it and no incremental feed will say so.
public enum StatusAgeing {
    /// The observation as it reads on `today`, or nil when nothing changed.
    /// Only `sent` ages: a partly paid invoice stays `partially_paid`, and drafts are not due.
    public static func aged(_ observation: Observation, today: CalendarDate) -> Observation? {
        guard observation.status == .sent, let dueDate = observation.dueDate, dueDate < today,
              (observation.due?.minorUnits ?? 1) > 0 else { return nil }
        var aged = observation
        aged.status = .overdue
        return aged
    }
}
