// The Library hands a photo to the Review page through the URL hash (`#review?image=ID`): a link that survives a
// reload and the back button, and needs no shared state between the pages.
export function openInReview(imageId: number): void {
  location.hash = `review?image=${imageId}`
}
