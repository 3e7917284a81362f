"""After-sales intelligence: review sentiment, complaint aspects and customer-service intents."""
