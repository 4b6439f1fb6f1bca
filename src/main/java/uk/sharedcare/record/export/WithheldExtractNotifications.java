package uk.sharedcare.record.export;

import ca.uhn.fhir.batch2.model.JobWorkNotification;
import ca.uhn.fhir.broker.api.IChannelProducer;
import ca.uhn.fhir.broker.api.ISendResult;
import ca.uhn.fhir.rest.server.messaging.IMessage;

/**
 * batch2's work channel with the extract's notifications held back. HAPI 8.8's channel is a queue inside the
 * sending JVM, so a chunk it announces is only ever worked on by the node whose maintenance pass queued it, and is
 * lost with that node. The extract's chunks are queued in the database all the same ({@code QUEUED} in
 * {@code BT2_WORK_CHUNK}), and every node's {@link ChunkClaims} takes them from there; every other job's
 * notifications go through as before.
 */
final class WithheldExtractNotifications implements IChannelProducer<JobWorkNotification> {

    private static final ISendResult LEFT_IN_THE_DATABASE = () -> true;

    private final IChannelProducer<JobWorkNotification> channel;

    WithheldExtractNotifications(IChannelProducer<JobWorkNotification> channel) {
        this.channel = channel;
    }

    @Override
    public String getChannelName() {
        return channel.getChannelName();
    }

    @Override
    public ISendResult send(IMessage<JobWorkNotification> message) {
        if (ExtractJobDefinition.JOB.equals(message.getPayload().getJobDefinitionId())) {
            return LEFT_IN_THE_DATABASE;
        }
        return channel.send(message);
    }
}
