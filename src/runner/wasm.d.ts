// The build (scripts/build-runner.js) loads .wasm files as data: URLs, so the bundle carries its binaries inside.
declare module '*.wasm' {
  const dataUrl: string
  export default dataUrl
}
