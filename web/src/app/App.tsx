// Providers and routes of the web UI.
import { MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { QueryClientProvider } from '@tanstack/react-query';
import { useState } from 'react';
import { BrowserRouter, Route, Routes } from 'react-router-dom';
import { createQueryClient } from '../api/query-client.ts';
import { AnalyticsLayout } from '../analytics/AnalyticsLayout.tsx';
import { AtRiskPage } from '../analytics/AtRiskPage.tsx';
import { BasketRulesPage } from '../analytics/BasketRulesPage.tsx';
import { ClvPage } from '../analytics/ClvPage.tsx';
import { CohortsPage } from '../analytics/CohortsPage.tsx';
import { DormantPage } from '../analytics/DormantPage.tsx';
import { GradesPage } from '../analytics/GradesPage.tsx';
import { OverviewPage } from '../analytics/OverviewPage.tsx';
import { RecommendationsPage } from '../analytics/RecommendationsPage.tsx';
import { RfmPage } from '../analytics/RfmPage.tsx';
import { SettingsPage as AnalyticsSettingsPage } from '../analytics/SettingsPage.tsx';
import { AcceptInvitationPage } from '../auth/AcceptInvitationPage.tsx';
import { LoginPage } from '../auth/LoginPage.tsx';
import { RequireAuth } from '../auth/RequireAuth.tsx';
import { CampaignPage } from '../campaigns/CampaignPage.tsx';
import { CampaignsPage } from '../campaigns/CampaignsPage.tsx';
import { CampaignWizardPage } from '../campaigns/CampaignWizardPage.tsx';
import { AttributesSettingsPage } from '../customers/AttributesSettingsPage.tsx';
import { CustomerProfilePage } from '../customers/CustomerProfilePage.tsx';
import { CustomersPage } from '../customers/CustomersPage.tsx';
import { ImportPage } from '../customers/ImportPage.tsx';
import { EventsPage } from '../events/EventsPage.tsx';
import { JourneyEditorPage } from '../journeys/JourneyEditorPage.tsx';
import { JourneysPage } from '../journeys/JourneysPage.tsx';
import { ChannelsPage } from '../messaging/ChannelsPage.tsx';
import { MessagesPage } from '../messaging/MessagesPage.tsx';
import { SandboxPage } from '../messaging/SandboxPage.tsx';
import { TemplateEditPage } from '../messaging/TemplateEditPage.tsx';
import { TemplatesPage } from '../messaging/TemplatesPage.tsx';
import { AbandonedCartsPage } from '../commerce/AbandonedCartsPage.tsx';
import { ProductPage } from '../commerce/ProductPage.tsx';
import { ProductsPage } from '../commerce/ProductsPage.tsx';
import { SegmentEditPage } from '../segments/SegmentEditPage.tsx';
import { SegmentPage } from '../segments/SegmentPage.tsx';
import { SegmentsPage } from '../segments/SegmentsPage.tsx';
import { ApiKeysPage } from '../workspaces/ApiKeysPage.tsx';
import { AuditLogPage } from '../workspaces/AuditLogPage.tsx';
import { GeneralSettingsPage } from '../workspaces/GeneralSettingsPage.tsx';
import { MembersPage } from '../workspaces/MembersPage.tsx';
import { SettingsIndex } from '../workspaces/SettingsIndex.tsx';
import { AppLayout } from './AppLayout.tsx';
import { HomePage } from './HomePage.tsx';
import { NotFoundPage } from './NotFoundPage.tsx';
import { RequirePermission } from './RequirePermission.tsx';
import { theme } from './theme.ts';

export function App() {
  const [queryClient] = useState(createQueryClient);
  return (
    <MantineProvider theme={theme} defaultColorScheme="light">
      <Notifications position="top-right" limit={4} />
      <QueryClientProvider client={queryClient}>
        <BrowserRouter>
          <Routes>
            <Route path="/login" element={<LoginPage />} />
            <Route path="/invite" element={<AcceptInvitationPage />} />
            <Route
              element={
                <RequireAuth>
                  <AppLayout />
                </RequireAuth>
              }
            >
              <Route index element={<HomePage />} />
              <Route path="customers">
                <Route index element={<RequirePermission permission="customers.read"><CustomersPage /></RequirePermission>} />
                <Route path="import" element={<RequirePermission permission="customers.write"><ImportPage /></RequirePermission>} />
                <Route path=":id" element={<RequirePermission permission="customers.read"><CustomerProfilePage /></RequirePermission>} />
              </Route>
              <Route path="segments">
                <Route index element={<RequirePermission permission="customers.read"><SegmentsPage /></RequirePermission>} />
                <Route path="new" element={<RequirePermission permission="messaging.write"><SegmentEditPage /></RequirePermission>} />
                <Route path=":id" element={<RequirePermission permission="customers.read"><SegmentPage /></RequirePermission>} />
                <Route path=":id/edit" element={<RequirePermission permission="messaging.write"><SegmentEditPage /></RequirePermission>} />
              </Route>
              <Route path="messages">
                <Route index element={<RequirePermission permission="customers.read"><MessagesPage /></RequirePermission>} />
                <Route path="templates" element={<RequirePermission permission="customers.read"><TemplatesPage /></RequirePermission>} />
                <Route path="templates/new" element={<RequirePermission permission="messaging.write"><TemplateEditPage /></RequirePermission>} />
                <Route path="templates/:id" element={<RequirePermission permission="customers.read"><TemplateEditPage /></RequirePermission>} />
                <Route path="sandbox" element={<RequirePermission permission="messaging.write"><SandboxPage /></RequirePermission>} />
              </Route>
              <Route path="campaigns">
                <Route index element={<RequirePermission permission="analytics.read"><CampaignsPage /></RequirePermission>} />
                <Route path="new" element={<RequirePermission permission="messaging.write"><CampaignWizardPage /></RequirePermission>} />
                <Route path=":id" element={<RequirePermission permission="analytics.read"><CampaignPage /></RequirePermission>} />
                <Route path=":id/edit" element={<RequirePermission permission="messaging.write"><CampaignWizardPage /></RequirePermission>} />
              </Route>
              <Route path="journeys">
                <Route index element={<RequirePermission permission="analytics.read"><JourneysPage /></RequirePermission>} />
                {/* Read with analytics.read; the page offers its editing controls to messaging.write only. */}
                <Route path=":id" element={<RequirePermission permission="analytics.read"><JourneyEditorPage /></RequirePermission>} />
              </Route>
              <Route path="events" element={<RequirePermission permission="analytics.read"><EventsPage /></RequirePermission>} />
              <Route path="products">
                <Route index element={<RequirePermission permission="analytics.read"><ProductsPage /></RequirePermission>} />
                <Route path=":id" element={<RequirePermission permission="analytics.read"><ProductPage /></RequirePermission>} />
              </Route>
              <Route path="carts/abandoned" element={<RequirePermission permission="customers.read"><AbandonedCartsPage /></RequirePermission>} />
              <Route path="analytics" element={<RequirePermission permission="analytics.read"><AnalyticsLayout /></RequirePermission>}>
                <Route index element={<OverviewPage />} />
                <Route path="rfm" element={<RfmPage />} />
                <Route path="grades" element={<GradesPage />} />
                <Route path="clv" element={<ClvPage />} />
                <Route path="at-risk" element={<AtRiskPage />} />
                <Route path="dormant" element={<DormantPage />} />
                <Route path="cohorts" element={<CohortsPage />} />
                <Route path="basket" element={<BasketRulesPage />} />
                <Route path="recommendations" element={<RecommendationsPage />} />
                <Route path="settings" element={<AnalyticsSettingsPage />} />
              </Route>
              <Route path="settings">
                <Route index element={<SettingsIndex />} />
                <Route path="general" element={<RequirePermission permission="workspace.read"><GeneralSettingsPage /></RequirePermission>} />
                <Route path="members" element={<RequirePermission permission="members.read"><MembersPage /></RequirePermission>} />
                <Route path="api-keys" element={<RequirePermission permission="keys.manage"><ApiKeysPage /></RequirePermission>} />
                <Route path="audit" element={<RequirePermission permission="audit.read"><AuditLogPage /></RequirePermission>} />
                <Route path="customer-attributes" element={<RequirePermission permission="customers.read"><AttributesSettingsPage /></RequirePermission>} />
                <Route path="channels" element={<RequirePermission permission="messaging.write"><ChannelsPage /></RequirePermission>} />
              </Route>
              <Route path="*" element={<NotFoundPage />} />
            </Route>
          </Routes>
        </BrowserRouter>
      </QueryClientProvider>
    </MantineProvider>
  );
}
