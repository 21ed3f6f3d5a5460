/** Events this system puts on the bus (detail types and sources in domain/event-names.ts). */
export interface EventPublisher {
  publish(detailType: string, detail: Record<string, unknown>, source?: string): Promise<void>;
}
