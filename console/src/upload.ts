/**
 * Sends a file to the admin API with upload progress: fetch reports no upload progress, so this is
 * the one call made with XMLHttpRequest. Same rules as `request`: the session's token in the
 * Authorization header, no cookies, the answer read as the API's envelope.
 */
import { ApiError, type Envelope, SESSION_ENDED, UnreachableError } from "./api";
import { currentSession, signOut } from "./session";

export function upload<T>(
  path: string,
  file: Blob,
  contentType: string,
  onProgress: (sent: number, total: number) => void,
): Promise<Envelope<T>> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", path);
    const session = currentSession();
    if (session) xhr.setRequestHeader("authorization", `Bearer ${session.token}`);
    xhr.setRequestHeader("content-type", contentType);
    xhr.setRequestHeader("accept", "application/json");
    xhr.withCredentials = false;
    xhr.upload.onprogress = (event) =>
      onProgress(event.loaded, event.lengthComputable ? event.total : file.size);
    // A small body may be sent before any progress event: the end of the upload is 100 %.
    xhr.upload.onload = () => onProgress(file.size, file.size);
    xhr.onerror = () => reject(new UnreachableError());
    xhr.onload = () => {
      let answer: Envelope<T> | null = null;
      try {
        answer = JSON.parse(xhr.responseText) as Envelope<T>;
      } catch {
        // not JSON (a proxy's error page): the status speaks
      }
      if (xhr.status === 401 && session) {
        signOut(SESSION_ENDED);
        reject(new ApiError(401, SESSION_ENDED));
      } else if (xhr.status >= 200 && xhr.status < 300 && answer) {
        resolve(answer);
      } else if (xhr.status >= 502 && xhr.status <= 504 && !answer) {
        reject(new UnreachableError());
      } else {
        reject(
          new ApiError(xhr.status, answer?.message ?? `The service answered ${xhr.status} ${xhr.statusText}`),
        );
      }
    };
    xhr.send(file);
  });
}
