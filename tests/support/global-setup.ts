import { execFileSync } from 'node:child_process'

// Some integration tests start dawri as a separate process (kill -9, several workers), which
// runs the compiled JavaScript: build once before any test file starts.
export default function setup(): void {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' })
}
