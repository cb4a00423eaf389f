/**
 * Jest does not print a test file whose tests were all skipped, nor what it logged, so a suite
 * that needs a service this machine lacks (MongoDB: MONGO_URL) would pass by unnoticed. This
 * reporter names every skipped test, with its file, after the summary.
 */
class SkippedReporter {
  onRunComplete(_contexts, results) {
    const lines = [];
    for (const file of results.testResults) {
      for (const t of file.testResults) {
        if (t.status === 'pending' || t.status === 'skipped') lines.push(`  ${file.testFilePath.replace(`${process.cwd()}/`, '')}: ${t.fullName}`);
      }
    }
    if (lines.length) process.stderr.write(`\nSkipped in this run (${lines.length}):\n${lines.join('\n')}\n`);
  }
}
module.exports = SkippedReporter;
