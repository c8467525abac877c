import Foundation
import PaySyncFuzzTargets

/// libFuzzer's entry point: `PAYSYNC_FUZZ_TARGET` picks the target (`FuzzTargets.names`).
private let target = ProcessInfo.processInfo.environment["PAYSYNC_FUZZ_TARGET"] ?? "json"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzTargets.run(target, Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
