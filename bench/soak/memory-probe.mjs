// Preloaded into the soaked server (`node --import bench/soak/memory-probe.mjs dist/cli/main.js serve`):
// sends its memory use to the parent over the IPC channel every DAWRI_SOAK_SAMPLE_MS. The timer
// and the channel are unref'd, so they never keep the server alive.
const every = Number(process.env.DAWRI_SOAK_SAMPLE_MS ?? 10_000)
if (process.send) {
  const sample = () => {
    const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage()
    const { user, system } = process.cpuUsage()
    process.send?.({ at: Date.now(), rss, heapUsed, heapTotal, external, arrayBuffers, cpuMs: (user + system) / 1000 })
  }
  setInterval(sample, every).unref()
  setTimeout(sample, 1000).unref()
  process.channel?.unref()
}
