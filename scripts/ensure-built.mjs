// Runs before `npm start`: builds the dashboard and the tracking client once, when their built
// files are missing (a fresh clone), so the first start serves /admin/ and /tracking/ as documented.
import { existsSync } from 'node:fs';
import { execSync } from 'node:child_process';

const missing = [
  ['admin-ui/dist/index.html', 'npm run build:admin'],
  ['tracking-client/dist/meta-tracking.min.js', 'npm run build:tracking'],
].filter(([file]) => !existsSync(file));

for (const [file, command] of missing) {
  console.log(`${file} is missing: ${command} (once)`);
  execSync(command, { stdio: 'inherit' });
}
