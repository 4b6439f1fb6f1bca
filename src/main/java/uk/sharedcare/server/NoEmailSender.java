package uk.sharedcare.server;

import ca.uhn.fhir.jpa.subscription.match.deliver.email.EmailDetails;
import ca.uhn.fhir.jpa.subscription.match.deliver.email.IEmailSender;

/**
 * HAPI's subscription processor needs an e-mail sender, but this server delivers only REST-hook subscriptions
 * (patient data does not go out by e-mail). E-mail subscriptions are refused at creation, so this never runs.
 */
final class NoEmailSender implements IEmailSender {

    @Override
    public void send(EmailDetails details) {
        throw new UnsupportedOperationException("E-mail subscriptions are not supported by the Shared Care Record");
    }
}
