import Foundation
import PaySyncCLI

// Thin by design: everything lives in PaySyncCLI, which the tests drive in-process.
let code = await PaySyncCLI.run(Array(CommandLine.arguments.dropFirst()))
exit(code)
