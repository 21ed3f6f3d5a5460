/** Reports archived for at least two years (the bucket's lifecycle rule enforces it). */
export interface ReportArchive {
  put(key: string, body: string, contentType: string): Promise<void>;
}
