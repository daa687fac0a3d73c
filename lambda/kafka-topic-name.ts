/**
 * Kafka's rule for topic names, as the broker applies it
 * (apache/kafka, `org.apache.kafka.common.internals.Topic.validate`): not empty,
 * not made of periods only ("." and ".." name directories on the broker), at most
 * 249 characters, and only ASCII letters, digits, ".", "_" and "-".
 */
export const KAFKA_TOPIC_MAX_LENGTH = 249;

/** What is wrong with a topic name (a phrase to follow the name), or undefined when Kafka accepts it. */
export function topicNameProblem(name: string): string | undefined {
  if (name === '') return 'is empty';
  if (/^\.+$/.test(name)) return 'is made of periods only ("." and ".." are reserved by Kafka)';
  if (name.length > KAFKA_TOPIC_MAX_LENGTH)
    return `is ${name.length} characters long; Kafka allows at most ${KAFKA_TOPIC_MAX_LENGTH}`;
  if (!/^[A-Za-z0-9._-]+$/.test(name))
    return 'has a character Kafka does not allow (only letters, digits, ".", "_" and "-")';
  return undefined;
}
