import { execFileSync } from 'node:child_process'

// Some integration tests start dawri as a separate process (kill -9, several workers), which
// runs the compiled JavaScript: build once before any test file starts.
export default function setup(): void {
  // The integration and e2e projects share one vitest process: build once.
  if (process.env.DAWRI_TEST_BUILT === '1') return
  process.env.DAWRI_TEST_BUILT = '1'
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' })
}
