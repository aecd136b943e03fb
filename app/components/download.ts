// Saving a file the app serves (a CSV) from inside the embedded admin: fetched with App Bridge's fetch, which adds the
// session token (a plain link would not), then handed to the browser under the name the server gave it.
export async function downloadFile(url: string, fallbackName: string): Promise<void> {
  const response = await fetch(url);
  const blob = await response.blob();
  const name = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") ?? "")?.[1] ?? fallbackName;
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = name;
  link.click();
  URL.revokeObjectURL(link.href);
}
