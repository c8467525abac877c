import Foundation

/// Inline SVG charts drawn by paysync itself (no scripts, no external assets): vertical bars with
/// their labels, and horizontal stacked bars with a legend.
enum SVGChart {
    struct Bar {
        var label: String
        var value: Double
        /// The exact figure shown on hover and under the bar.
        var text: String
    }

    struct Segment {
        var name: String
        var value: Double
        var colour: String
    }

    /// Vertical bars, scaled to the largest; labels under every bar (or every n-th when crowded).
    static func bars(_ bars: [Bar], title: String, colour: String, width: Int = 720, height: Int = 220) -> String {
        let top = 42, bottom = 36, left = 8
        let plotHeight = Double(height - top - bottom)
        let largest = max(bars.map(\.value).max() ?? 0, 1e-9)
        let slot = Double(width - 2 * left) / Double(max(bars.count, 1))
        let every = max(1, Int((Double(bars.count) * 46 / Double(width)).rounded(.up)))
        var svg = ##"<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 \##(width) \##(height)" width="\##(width)" height="\##(height)">"##
        svg += ##"<title>\##(HTML.escape(title))</title><text x="\##(left)" y="18" class="chart-title">\##(HTML.escape(title))</text>"##
        svg += ##"<line x1="\##(left)" y1="\##(height - bottom)" x2="\##(width - left)" y2="\##(height - bottom)" stroke="#9aa3ad"/>"##
        for (index, bar) in bars.enumerated() {
            let barHeight = plotHeight * bar.value / largest
            let x = Double(left) + slot * Double(index) + slot * 0.15
            let y = Double(height - bottom) - barHeight
            svg += ##"<rect x="\##(format(x))" y="\##(format(y))" width="\##(format(slot * 0.7))" height="\##(format(barHeight))" fill="\##(colour)"><title>\##(HTML.escape(bar.label)): \##(HTML.escape(bar.text))</title></rect>"##
            if bars.count <= 12 && bar.value > 0 {
                svg += ##"<text x="\##(format(x + slot * 0.35))" y="\##(format(y - 4))" text-anchor="middle" class="axis">\##(HTML.escape(bar.text))</text>"##
            }
            if index % every == 0 {
                svg += ##"<text x="\##(format(x + slot * 0.35))" y="\##(height - bottom + 14)" text-anchor="middle" class="axis">\##(HTML.escape(bar.label))</text>"##
            }
        }
        if bars.isEmpty { svg += ##"<text x="\##(width / 2)" y="\##(height / 2)" text-anchor="middle" class="axis">nothing in this window</text>"## }
        return svg + "</svg>"
    }

    /// One horizontal bar per row, split into coloured segments, and a legend of the segments' names.
    static func stacked(_ rows: [(label: String, segments: [Segment])], title: String, width: Int = 720) -> String {
        let rowHeight = 26, top = 28, labelWidth = 220
        let legend = Array(Set(rows.flatMap { $0.segments.map { "\($0.name)|\($0.colour)" } })).sorted()
        let height = top + rows.count * rowHeight + 20 + ((legend.count + 3) / 4) * 18
        var svg = ##"<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 \##(width) \##(height)" width="\##(width)" height="\##(height)">"##
        svg += ##"<title>\##(HTML.escape(title))</title><text x="8" y="18" class="chart-title">\##(HTML.escape(title))</text>"##
        for (index, row) in rows.enumerated() {
            let y = top + index * rowHeight
            svg += ##"<text x="8" y="\##(y + 16)" class="axis">\##(HTML.escape(row.label))</text>"##
            let total = max(row.segments.reduce(0) { $0 + $1.value }, 1e-9)
            var x = Double(labelWidth)
            for segment in row.segments where segment.value > 0 {
                let w = Double(width - labelWidth - 8) * segment.value / total
                svg += ##"<rect x="\##(format(x))" y="\##(y + 4)" width="\##(format(w))" height="\##(rowHeight - 8)" fill="\##(segment.colour)"><title>\##(HTML.escape(segment.name)): \##(Int(segment.value))</title></rect>"##
                x += w
            }
        }
        let legendTop = top + rows.count * rowHeight + 14
        for (index, entry) in legend.enumerated() {
            let parts = entry.split(separator: "|", maxSplits: 1).map(String.init)
            let x = 8 + (index % 4) * 176, y = legendTop + (index / 4) * 18
            svg += ##"<rect x="\##(x)" y="\##(y)" width="12" height="12" fill="\##(parts[1])"/><text x="\##(x + 18)" y="\##(y + 10)" class="axis">\##(HTML.escape(parts[0]))</text>"##
        }
        return svg + "</svg>"
    }

    private static func format(_ value: Double) -> String { String(format: "%.1f", value) }
}

/// Text made safe inside HTML and SVG elements and attributes.
enum HTML {
    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
